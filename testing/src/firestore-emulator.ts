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

export async function startFirestoreEmulator(port?: number): Promise<FirestoreEmulator> {
  const chosen = port ?? (await freePort());
  const server = new FirestoreServer();
  await server.start(chosen);
  return {
    host: `127.0.0.1:${chosen}`,
    stop: async () => server.stop(),
  };
}
