// Postgres for a machine that has none: PGlite (Postgres compiled to WASM) behind a socket
// server that speaks the wire protocol, so the same `pg` code runs against it.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
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
