// The embedded default: with no Postgres server, `npm start` runs the admin API on PGlite. The
// same migrations and queries must work there, pool and all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@colonycraft/testing';
import { createPool } from './data/db.js';
import { migrate } from './data/migrate.js';
import { findRole, upsertRole } from './data/user-roles.js';
import { inTransaction } from './data/db.js';
import { generateApiKey } from './domain/api-key-format.js';
import { insertKey, markRevoked } from './data/api-keys.js';
import {
  findDue,
  insertAddedVersion,
  listVersionRows,
  lockDue,
  lockProvider,
  markDisabled,
  scheduleDisable,
} from './data/provider-key-versions.js';
import { appendAudit, verifyAudit } from './domain/audit.js';

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
    expect(await migrate(pool)).toEqual([
      '001_user_roles.sql',
      '002_api_keys.sql',
      '003_audit_log.sql',
      '004_user_tiers.sql',
      '005_provider_key_versions.sql',
      '006_user_disabled.sql',
      '007_provider_ids_from_table.sql',
    ]);
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
    expect(await findRole(pool, 'a')).toEqual({
      uid: 'a',
      email: 'a@x.test',
      role: 'auditor',
      tier: null,
      disabled: false,
    });
    await expect(
      pool.query(`UPDATE user_roles SET role = 'owner' WHERE uid = 'a'`),
    ).rejects.toThrow(/check/);
  });
});

describe('keys and the audit log on embedded PGlite', () => {
  it('when a key is created and revoked with its audit entries, then the chain verifies', async () => {
    const fresh = generateApiKey();
    const system = { actor: 'system:test', ip: null, requestId: null };
    await inTransaction(pool, async (tx) => {
      const key = await insertKey(tx, {
        hash: fresh.hash,
        prefix: fresh.prefix,
        owner: 'a',
        name: 'k',
        scopes: ['*'],
        tier: 'free',
        expiresAt: null,
        rotatedFrom: null,
      });
      await appendAudit(tx, system, {
        action: 'api_key.create',
        target: key.id,
        before: null,
        after: { id: key.id },
      });
      const revoked = await markRevoked(tx, key.id);
      expect(revoked.revokedAt).toEqual(expect.any(Number));
      await appendAudit(tx, system, {
        action: 'api_key.revoke',
        target: key.id,
        before: null,
        after: { id: key.id },
      });
    });
    expect(await verifyAudit(pool)).toMatchObject({ ok: true, entries: 2 });
  });

  it('when the audit log is updated or deleted from, then the trigger refuses there too', async () => {
    await expect(pool.query(`UPDATE audit_log SET actor = 'x'`)).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  });
});

describe('provider key versions on embedded PGlite', () => {
  it('when a rotation schedules the old versions and the sweep disables them, then every query works there too', async () => {
    await inTransaction(pool, async (tx) => {
      await lockProvider(tx, 'openai');
      await insertAddedVersion(tx, {
        provider: 'openai',
        version: '2',
        createdBy: 'a',
        createdAt: Date.UTC(2026, 0, 1),
      });
      const at = await scheduleDisable(tx, 'openai', [{ version: '1', createdAt: 0 }], 0);
      expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    });
    expect(await findDue(pool)).toEqual([{ provider: 'openai', version: '1' }]);
    await inTransaction(pool, async (tx) => {
      const row = await lockDue(tx, 'openai', '1');
      expect(row).toMatchObject({ version: '1', createdBy: null, disabledAt: null });
      await markDisabled(tx, 'openai', '1');
    });
    expect(await findDue(pool, 'openai')).toEqual([]);
    const rows = await listVersionRows(pool, 'openai');
    expect(rows.map((r) => [r.version, r.createdBy, r.disabledAt !== null])).toEqual([
      ['2', 'a', false],
      ['1', null, true],
    ]);
    expect(rows[0]!.createdAt).toBe(Date.UTC(2026, 0, 1));
  });
});
