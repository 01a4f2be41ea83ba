// The local stack trusts unsigned ID tokens (the Auth emulator) and enforces no Firestore rules,
// so nothing it starts may be reachable from another machine: every port that it, and every
// process it starts, listens on must be a loopback address.
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { canListSockets, listeningSockets } from './listening-sockets.js';
import { startStack, type Stack } from './stack.js';

const listen = (host: string): Promise<Server> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, host, () => resolve(server));
  });
const portOf = (server: Server): number => (server.address() as { port: number }).port;
const close = (server: Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

describe.runIf(canListSockets())('listening sockets', () => {
  it('when a server listens on every interface or on loopback, then the listing tells them apart', async () => {
    const everywhere = await listen('0.0.0.0');
    const local = await listen('127.0.0.1');
    try {
      const sockets = listeningSockets();
      expect(sockets).toContainEqual({
        address: '0.0.0.0',
        port: portOf(everywhere),
        loopback: false,
        pid: process.pid,
      });
      expect(sockets).toContainEqual({
        address: '127.0.0.1',
        port: portOf(local),
        loopback: true,
        pid: process.pid,
      });
    } finally {
      await close(everywhere);
      await close(local);
    }
  });
});

describe.runIf(canListSockets())('the local stack', () => {
  let stack: Stack | undefined;
  afterAll(async () => {
    await stack?.stop();
  });

  it('when it runs, then everything it started listens on loopback only', async () => {
    // Embedded Postgres (PGlite) too, since no DATABASE_URL is given.
    stack = await startStack({ ports: 'free', web: false });
    const sockets = listeningSockets();
    const ports = sockets.map((s) => s.port);
    // The services it names are among the sockets found, so an empty listing cannot pass.
    for (const url of [
      stack.urls.auth,
      stack.urls.functions,
      stack.urls.firestore,
      stack.urls.adminApi,
    ]) {
      expect(ports).toContain(Number(new URL(url).port));
    }
    expect(sockets.filter((s) => !s.loopback)).toEqual([]);
  }, 180_000);
});
