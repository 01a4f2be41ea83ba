// The Firestore emulator: @firestore-emulator/server, which speaks the same gRPC protocol as
// Google's (whose Java build cannot be downloaded here). Code under test only ever sees
// FIRESTORE_EMULATOR_HOST, so it runs unchanged against either.
import { FirestoreServer } from '@firestore-emulator/server';
import { freePort } from './free-port.js';

export interface FirestoreEmulator {
  /** `host:port`, the value for FIRESTORE_EMULATOR_HOST. */
  host: string;
  stop(): Promise<void>;
}

type BindAsync = (address: string, ...rest: unknown[]) => void;

/**
 * The emulator enforces no rules, so it must listen on loopback only; its `start(port)` binds
 * `0.0.0.0:port` with no way to say otherwise, so the bind of its gRPC server is rewritten.
 */
function bindToLoopback(server: FirestoreServer): void {
  const grpc = (server as unknown as { server?: { bindAsync?: BindAsync } }).server;
  if (typeof grpc?.bindAsync !== 'function') {
    throw new Error('@firestore-emulator/server changed: cannot bind it to 127.0.0.1');
  }
  const bind = grpc.bindAsync.bind(grpc);
  grpc.bindAsync = (address, ...rest) => {
    const port = /^0\.0\.0\.0:(\d+)$/.exec(address)?.[1];
    if (port === undefined) throw new Error(`unexpected Firestore emulator address ${address}`);
    bind(`127.0.0.1:${port}`, ...rest);
  };
}

export async function startFirestoreEmulator(port?: number): Promise<FirestoreEmulator> {
  const chosen = port ?? (await freePort());
  const server = new FirestoreServer();
  bindToLoopback(server);
  await server.start(chosen);
  return {
    host: `127.0.0.1:${chosen}`,
    stop: async () => server.stop(),
  };
}
