// Graceful shutdown over real HTTP: a request in flight when stop() begins (SIGTERM in the
// container) still gets its answer while new connections are refused; one that outlasts
// SHUTDOWN_TIMEOUT_MS is cut; afterwards the reconciler runs no more and the pool is closed.
// Each test starts its own server on the fixture's database and emulators.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageReport } from '@colonycraft/protocol';
import { ON_EMBEDDED_POSTGRES } from '@colonycraft/testing';
import type { KeyProjection } from './data/key-projection.js';
import type { UsageLedger } from './data/usage-ledger.js';
import { startAdminFixture, type AdminFixture } from './dev/admin-fixture.js';
import { createLogger } from './logger.js';
import { start, type RunningServer } from './server.js';

let f: AdminFixture;

beforeAll(async () => {
  f = await startAdminFixture();
}, 180_000);

afterAll(async () => {
  await f?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A usage ledger whose reads take `ms`, and a promise that resolves when one has begun. */
function slowUsage(ms: number) {
  let begun!: () => void;
  const inFlight = new Promise<void>((resolve) => (begun = resolve));
  const wrap = (real: UsageLedger): UsageLedger => ({
    days: async (principal, days) => {
      begun();
      await sleep(ms);
      return real.days(principal, days);
    },
  });
  return { wrap, inFlight };
}

const APP_NAME = 'admin-api-shutdown-test';

async function startServer(
  shutdownTimeoutMs: number,
  options: {
    wrapUsage?: (u: UsageLedger) => UsageLedger;
    wrapProjection?: (p: KeyProjection) => KeyProjection;
  } = {},
  reconcileIntervalSeconds = 0,
): Promise<RunningServer> {
  const url = new URL(f.databaseUrl);
  url.searchParams.set('application_name', APP_NAME);
  return start(
    {
      ...f.config,
      databaseUrl: url.toString(),
      shutdownTimeoutMs,
      reconcileIntervalSeconds,
      seedUsers: undefined,
    },
    createLogger('silent'),
    options,
  );
}

/** Opens a fresh TCP connection (never a pooled keep-alive one) and closes it again. */
function connectOnce(serverUrl: string): Promise<void> {
  const { hostname, port } = new URL(serverUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

async function serverConnections(): Promise<number> {
  const { rows } = await f.sql.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
    [APP_NAME],
  );
  return rows[0]!.n;
}

describe('stop() (SIGTERM)', () => {
  // It counts the server's connections in pg_stat_activity, one backend on embedded PGlite.
  it.skipIf(ON_EMBEDDED_POSTGRES)(
    'when a slow request is in flight, then it completes with 200 while a new connection is refused',
    async () => {
      const slow = slowUsage(1500);
      const server = await startServer(10_000, { wrapUsage: slow.wrap });
      const token = await f.token('pat');
      const pending = fetch(`${server.url}/usage`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await slow.inFlight;
      expect(await serverConnections()).toBeGreaterThan(0);

      const stopping = server.stop();
      await expect(connectOnce(server.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      const res = await pending;
      expect(res.status).toBe(200);
      expect(((await res.json()) as UsageReport).uid).toBe(f.uid.pat);
      await stopping;
      // The pool has closed its connections; Postgres ends their backends a moment later.
      await expect.poll(serverConnections, { timeout: 5_000 }).toBe(0);
    },
  );

  it('when a request outlasts SHUTDOWN_TIMEOUT_MS, then its connection is cut and stop() ends soon after', async () => {
    const slow = slowUsage(4000);
    const server = await startServer(300, { wrapUsage: slow.wrap });
    const token = await f.token('pat');
    const pending = fetch(`${server.url}/usage`, { headers: { authorization: `Bearer ${token}` } });
    await slow.inFlight;
    const began = Date.now();
    await server.stop();
    expect(Date.now() - began).toBeLessThan(2000);
    await expect(pending).rejects.toThrow();
  });

  it('when stopped, then the reconciler runs no more', async () => {
    let runs = 0;
    const server = await startServer(
      1000,
      {
        wrapProjection: (real) => ({
          ...real,
          list: () => {
            runs += 1;
            return real.list();
          },
        }),
      },
      1,
    );
    await sleep(1500);
    expect(runs).toBeGreaterThan(0);
    await server.stop();
    const after = runs;
    await sleep(2200);
    expect(runs).toBe(after);
  });
});
