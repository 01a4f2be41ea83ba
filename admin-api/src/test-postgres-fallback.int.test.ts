// `npm test` on a machine without Postgres: with DATABASE_URL unset and nothing at the default
// address (moved here to a port where nothing listens, so the machine's Postgres is left
// alone), the run's setup starts embedded PGlite, and the admin API's migrations run on the
// databases the tests make there, each a database of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import pg from 'pg';
import {
  createTestDatabase,
  freePort,
  resolveTestPostgres,
  type TestService,
} from '@colonycraft/testing';
import { createPool, inTransaction } from './data/db.js';
import { migrate } from './data/migrate.js';

const ALL_MIGRATIONS = [
  '001_user_roles.sql',
  '002_api_keys.sql',
  '003_audit_log.sql',
  '004_user_tiers.sql',
  '005_provider_key_versions.sql',
  '006_user_disabled.sql',
  '007_provider_ids_from_table.sql',
];

describe('where a test run finds Postgres', () => {
  let postgres: TestService | undefined;
  afterAll(async () => {
    await postgres?.stop();
  });

  it('when DATABASE_URL is set, then it is used as it is', async () => {
    const service = await resolveTestPostgres({ DATABASE_URL: 'postgres://u@db.test/x' });
    expect(service).toMatchObject({ url: 'postgres://u@db.test/x', source: 'environment' });
  });

  it('when a Postgres answers at the default address, then the tests use it', async () => {
    // Answers an SSLRequest as a server without TLS does.
    const fake: Server = createServer((socket) => socket.once('data', () => socket.end('N')));
    const port = await freePort();
    await new Promise<void>((resolve) => fake.listen(port, '127.0.0.1', resolve));
    try {
      const service = await resolveTestPostgres({ TEST_POSTGRES_ADDRESS: `127.0.0.1:${port}` });
      expect(service).toMatchObject({
        url: `postgres://postgres@127.0.0.1:${port}/test`,
        source: 'default address',
      });
    } finally {
      fake.close();
    }
  });

  describe('when DATABASE_URL is unset and nothing listens at the default address', () => {
    beforeAll(async () => {
      postgres = await resolveTestPostgres({
        TEST_POSTGRES_ADDRESS: `127.0.0.1:${await freePort()}`,
      });
    });

    it('then embedded PGlite is started, and the migrations run on each test database of its own', async () => {
      expect(postgres!.source).toBe('started for this run');
      const [one, two] = await Promise.all([
        createTestDatabase(postgres!.url),
        createTestDatabase(postgres!.url),
      ]);
      const pools = [createPool(one.url, 4), createPool(two.url, 4)];
      try {
        expect(await migrate(pools[0]!)).toEqual(ALL_MIGRATIONS);
        expect(await migrate(pools[1]!)).toEqual(ALL_MIGRATIONS);
        expect(await migrate(pools[0]!)).toEqual([]);
        await pools[0]!.query(
          `INSERT INTO user_roles (uid, email, role) VALUES ('u1', 'u1@x.test', 'admin')`,
        );
        const count = (pool: pg.Pool) =>
          pool.query<{ n: number }>('SELECT count(*)::int AS n FROM user_roles');
        expect((await count(pools[0]!)).rows[0]!.n).toBe(1);
        expect((await count(pools[1]!)).rows[0]!.n).toBe(0);
      } finally {
        await Promise.all(pools.map((pool) => pool.end()));
      }

      // Connections take turns whole: parameterized queries and transactions at once on
      // several connections neither interleave nor fail.
      const pool = createPool(two.url, 8);
      try {
        const results = await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const plain = pool.query<{ n: number }>('SELECT $1::int + 1 AS n', [i]);
            await inTransaction(pool, async (tx) => {
              await tx.query('SELECT pg_advisory_xact_lock($1)', [1]);
              await tx.query(
                `INSERT INTO user_roles (uid, email, role) VALUES ($1, null, 'member')`,
                [`c${i}`],
              );
            });
            return (await plain).rows[0]!.n;
          }),
        );
        expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect((await pool.query('SELECT count(*)::int AS n FROM user_roles')).rows[0].n).toBe(20);
      } finally {
        await pool.end();
      }

      // A dropped database is gone, as on a server.
      await one.drop();
      const gone = new pg.Client({ connectionString: one.url });
      await expect(gone.connect()).rejects.toThrow(/does not exist/);
      await two.drop();
    });
  });
});
