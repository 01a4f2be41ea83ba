// The embedded default: with no Postgres server, `npm start` runs the admin API on PGlite. The
// same migrations and queries must work there, pool and all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@colonycraft/testing';
import { createPool } from './data/db.js';
import { migrate } from './data/migrate.js';
import { findRole, upsertRole } from './data/user-roles.js';

let embedded: EmbeddedPostgres;
let pool: pg.Pool;

beforeAll(async () => {
  embedded = await startEmbeddedPostgres();
  pool = createPool(embedded.url, 4);
});

afterAll(async () => {
  await pool?.end();
  await embedded?.stop();
});

describe('the admin API on embedded PGlite', () => {
  it('when migrated twice, then the second run applies nothing', async () => {
    expect(await migrate(pool)).toEqual(['001_user_roles.sql']);
    expect(await migrate(pool)).toEqual([]);
  });

  it('when several pool connections work at once, then every query answers', async () => {
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((uid) =>
        upsertRole(pool, { uid, email: null, role: 'member' }),
      ),
    );
    const counts = await Promise.all(
      [1, 2, 3, 4].map(() => pool.query('SELECT count(*)::int AS n FROM user_roles')),
    );
    expect(counts.map((r) => r.rows[0].n)).toEqual([6, 6, 6, 6]);
  });

  it('when a role is written, then the check constraint holds there too', async () => {
    await upsertRole(pool, { uid: 'a', email: 'a@x.test', role: 'auditor' });
    expect(await findRole(pool, 'a')).toEqual({ uid: 'a', email: 'a@x.test', role: 'auditor' });
    await expect(
      pool.query(`UPDATE user_roles SET role = 'owner' WHERE uid = 'a'`),
    ).rejects.toThrow(/check/);
  });
});
