// Postgres for a machine that has none: PGlite (Postgres compiled to WASM) behind a socket
// server that speaks the wire protocol, so the same `pg` code runs against it.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { connect, createServer, type Socket } from 'node:net';
import { freePort } from './free-port.js';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** `dataDir` keeps the data between runs; without it the database lives in memory. */
export async function startEmbeddedPostgres(
  options: { port?: number; dataDir?: string } = {},
): Promise<EmbeddedPostgres> {
  const port = options.port ?? (await freePort());
  const db = await PGlite.create(options.dataDir);
  // The default of one connection cuts off every pool connection after the first.
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 32 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * Embedded Postgres that behaves like a server of many databases, for test runs on a machine
 * without one. A PGlite instance is one database, and it accepts `CREATE DATABASE` but every
 * connection lands in that same database whatever name it asks for; test files each make a
 * database of their own (`createTestDatabase`) and must not see each other's rows. So one port
 * fronts several instances: `CREATE DATABASE x` (a simple query) starts an instance for `x`,
 * a connection asking for `x` is passed to it, and `DROP DATABASE x` stops it and frees its
 * memory (about 150 MB each). The first database is `postgres`, as the URL says.
 *
 * An instance is one backend, so its connections take turns: a connection holds its database
 * from its first message until the backend is ready for a query outside a transaction again,
 * so one connection's Parse/Bind/Execute/Sync, or its transaction, is never interleaved with
 * another's. (pglite-socket alone queues message by message: concurrent parameterized queries
 * on two connections then fail with `portal "" does not exist`.)
 */
export async function startEmbeddedPostgresServer(
  options: { port?: number } = {},
): Promise<EmbeddedPostgres> {
  const databases = new Map<string, Promise<Instance>>();
  const open = (name: string): Promise<Instance> => {
    const started = startEmbeddedPostgres().then((db) => ({ ...db, turn: new Turns() }));
    databases.set(name, started);
    started.catch(() => databases.delete(name));
    return started;
  };
  const close = async (name: string): Promise<void> => {
    const instance = databases.get(name);
    databases.delete(name);
    await (await instance?.catch(() => undefined))?.stop();
  };
  await open('postgres');

  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.setNoDelay(true);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    frontConnection(client, { databases, open, close });
  });
  const port = options.port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const name of [...databases.keys()]) await close(name);
    },
  };
}

interface Instance extends EmbeddedPostgres {
  turn: Turns;
}

interface Databases {
  databases: Map<string, Promise<Instance>>;
  open(name: string): Promise<Instance>;
  close(name: string): Promise<void>;
}

/** One holder at a time, in the order they asked. */
class Turns {
  private last: Promise<void> = Promise.resolve();
  take(): Promise<() => void> {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const before = this.last;
    this.last = before.then(() => done);
    return before.then(() => release);
  }
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/** Reads the startup message, then relays the connection to its database's instance. */
function frontConnection(client: Socket, dbs: Databases): void {
  let buffer = Buffer.alloc(0);
  let backend: Socket | undefined;
  let instance: Instance | undefined;
  let chain = Promise.resolve();
  // The turn this connection holds, and how many of its cycles (a startup, a Sync, a simple
  // Query) the backend has yet to end with ReadyForQuery.
  let release: (() => void) | undefined;
  let cycles = 0;
  const letGo = () => {
    release?.();
    release = undefined;
  };

  const send = async (message: Buffer, endsCycle: boolean): Promise<void> => {
    if (!release) release = await instance!.turn.take();
    if (endsCycle) cycles += 1;
    backend!.write(message);
  };

  const relayBackend = (socket: Socket) => {
    let incoming = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      client.write(data);
      incoming = Buffer.concat([incoming, data]);
      while (incoming.length >= 5) {
        const length = 1 + incoming.readInt32BE(1);
        if (incoming.length < length) break;
        // ReadyForQuery: its status byte is I when no transaction is open.
        if (incoming[0] === 0x5a /* Z */) {
          cycles -= 1;
          if (cycles <= 0 && incoming[5] === 0x49 /* I */) letGo();
        }
        incoming = incoming.subarray(length);
      }
    });
  };

  // Client messages in order: the startup ones first (no type byte), then typed messages, of
  // which `CREATE DATABASE` and `DROP DATABASE` queries are acted on before they are passed on.
  const take = async (): Promise<void> => {
    while (!client.destroyed) {
      if (!backend) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        const code = message.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          client.write('N');
          continue;
        }
        if (code === CANCEL_REQUEST) {
          client.end();
          return;
        }
        const params = startupParameters(message);
        const database = params.get('database') ?? params.get('user') ?? 'postgres';
        const found = dbs.databases.get(database);
        if (!found) {
          client.end(fatal('3D000', `database "${database}" does not exist`));
          return;
        }
        instance = await found;
        const target = new URL(instance.url);
        backend = connect(Number(target.port), target.hostname);
        backend.setNoDelay(true);
        backend.on('error', () => client.destroy());
        backend.once('close', () => {
          letGo();
          client.destroy();
        });
        client.once('close', () => {
          letGo();
          backend?.destroy();
        });
        relayBackend(backend);
        await send(message, true);
        continue;
      }
      if (buffer.length < 5) return;
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) return;
      const message = buffer.subarray(0, length);
      buffer = buffer.subarray(length);
      const type = message[0];
      if (type === 0x51 /* Q */) {
        const sql = message.subarray(5, length - 1).toString('utf8');
        const created = /^\s*CREATE\s+DATABASE\s+"?(\w+)"?\s*;?\s*$/i.exec(sql);
        const dropped = /^\s*DROP\s+DATABASE\s+(?:IF\s+EXISTS\s+)?"?(\w+)"?/i.exec(sql);
        if (created && !dbs.databases.has(created[1]!)) await dbs.open(created[1]!);
        if (dropped && dropped[1] !== 'postgres') await dbs.close(dropped[1]!);
      }
      await send(message, type === 0x51 /* Q */ || type === 0x53 /* S: Sync */);
    }
  };
  client.on('data', (data: Buffer) => {
    buffer = Buffer.concat([buffer, data]);
    chain = chain.then(take).catch(() => {
      client.destroy();
    });
  });
}

function startupParameters(message: Buffer): Map<string, string> {
  const parts = message.subarray(8).toString('utf8').split('\0');
  const params = new Map<string, string>();
  for (let i = 0; i + 1 < parts.length && parts[i]; i += 2) params.set(parts[i]!, parts[i + 1]!);
  return params;
}

/** An ErrorResponse of severity FATAL, as a server sends before it closes the connection. */
function fatal(code: string, text: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}
