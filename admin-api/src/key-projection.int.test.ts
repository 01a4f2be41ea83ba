// The Firestore projection of API keys: written in the right order relative to the answer,
// kept consistent when Firestore fails, and repaired by the reconciler (the script, the
// server's periodic run, and a run racing a revocation).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { ApiKeyRecord, CreatedApiKey } from '@colonycraft/protocol';
import { ON_EMBEDDED_POSTGRES } from '@colonycraft/testing';
import { firestoreKeyProjection, type KeyProjection } from './data/key-projection.js';
import { startAdminFixture, type AdminFixture } from './dev/admin-fixture.js';
import { reconcileKeys } from './domain/reconcile-keys.js';
import { createLogger } from './logger.js';
import { start } from './server.js';

/** What the test makes the server's projection do. */
const control = {
  fail: (_record: ApiKeyRecord): boolean => false,
  /** Held after the write has landed, before the use case hears back. */
  holdAfterWriteMs: 0,
  writes: [] as { hash: string; record: ApiKeyRecord; at: number }[],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function instrumented(real: KeyProjection): KeyProjection {
  return {
    async put(hash, record) {
      if (control.fail(record)) throw new Error('Firestore is down (test)');
      await real.put(hash, record);
      control.writes.push({ hash, record, at: Date.now() });
      if (control.holdAfterWriteMs) await sleep(control.holdAfterWriteMs);
    },
    delete: (hash) => real.delete(hash),
    list: () => real.list(),
  };
}

let f: AdminFixture;
let pool: pg.Pool;
let projection: KeyProjection;

beforeAll(async () => {
  f = await startAdminFixture({ wrapProjection: instrumented });
  pool = new pg.Pool({ connectionString: f.databaseUrl, max: 2 });
  projection = firestoreKeyProjection(f.firestore, 5000);
}, 180_000);

afterAll(async () => {
  await pool?.end();
  await f?.stop();
});

function reset() {
  control.fail = () => false;
  control.holdAfterWriteMs = 0;
  control.writes.length = 0;
}

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
const doc = (hash: string) => f.firestore.doc(`apiKeys/${hash}`);
const record = async (key: string) => (await doc(sha256(key)).get()).data();

async function create(name = 'k'): Promise<CreatedApiKey> {
  const res = await f.call<CreatedApiKey>('pat', 'POST', '/api-keys', { name, scopes: ['*'] });
  expect(res.status).toBe(201);
  return res.body;
}

async function row(id: string) {
  const { rows } = await f.sql.query('SELECT revoked_at, grace_until FROM api_keys WHERE id = $1', [
    id,
  ]);
  return rows[0] as { revoked_at: Date | null; grace_until: Date | null };
}

async function actions(id: string): Promise<string[]> {
  const { rows } = await f.sql.query<{ action: string }>(
    'SELECT action FROM audit_log WHERE target = $1 ORDER BY seq',
    [`api_key:${id}`],
  );
  return rows.map((r) => r.action);
}

describe('ordering', () => {
  it('when a key is revoked, then its record says revoked before the API answers', async () => {
    reset();
    const { key, summary } = await create();
    control.holdAfterWriteMs = 300;
    const res = await f.call('pat', 'DELETE', `/api-keys/${summary.id}`);
    const answeredAt = Date.now();
    expect(res.status).toBe(200);
    const write = control.writes.find((w) => w.hash === sha256(key) && w.record.revokedAt);
    expect(write).toBeDefined();
    expect(write!.at).toBeLessThanOrEqual(answeredAt - 300);
    reset();
  });

  it('when a key is rotated, then the old record’s notAfter = now + grace is written before the answer', async () => {
    reset();
    const old = await create();
    const t0 = Date.now();
    const res = await f.call<CreatedApiKey>('pat', 'POST', `/api-keys/${old.summary.id}/rotate`, {
      graceSeconds: 120,
    });
    const answeredAt = Date.now();
    expect(res.status).toBe(201);
    const write = control.writes.find((w) => w.hash === sha256(old.key) && w.record.notAfter);
    expect(write!.at).toBeLessThanOrEqual(answeredAt);
    expect(write!.record.notAfter).toBeGreaterThanOrEqual(t0 + 120_000 - 5);
    expect(write!.record.notAfter).toBeLessThanOrEqual(answeredAt + 120_000 + 5);
    expect((await record(old.key))?.notAfter).toBe(write!.record.notAfter);
  });
});

describe('when Firestore fails', () => {
  it('when revoking, then the answer is 503 and neither store changed', async () => {
    const { key, summary } = await create();
    control.fail = () => true;
    const res = await f.call<{ error: { code: string } }>(
      'pat',
      'DELETE',
      `/api-keys/${summary.id}`,
    );
    reset();
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect((await row(summary.id)).revoked_at).toBeNull();
    expect((await record(key))?.revokedAt).toBeNull();
    expect(await actions(summary.id)).toEqual(['api_key.create']);
    expect((await f.call('pat', 'DELETE', `/api-keys/${summary.id}`)).status).toBe(200);
  });

  it('when creating, then the answer is 503 without a key, and the unseen key is revoked in Postgres', async () => {
    const before = await f.sql.query<{ id: string }>('SELECT id FROM api_keys');
    control.fail = () => true;
    const res = await f.call('pat', 'POST', '/api-keys', { name: 'doomed', scopes: ['*'] });
    reset();
    expect(res.status).toBe(503);
    expect(res.text).not.toMatch(/cc_[0-9A-Za-z]{51}/);
    const { rows } = await f.sql.query<{ id: string; revoked_at: Date | null }>(
      'SELECT id, revoked_at FROM api_keys WHERE NOT (id = ANY($1::uuid[]))',
      [before.rows.map((r) => r.id)],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.revoked_at).not.toBeNull();
    expect(await actions(rows[0]!.id)).toEqual(['api_key.create', 'api_key.revoke']);
  });

  it('when rotating and the old key’s end cannot be written, then the answer is 503 and nothing changed', async () => {
    const old = await create();
    control.fail = () => true;
    const res = await f.call('pat', 'POST', `/api-keys/${old.summary.id}/rotate`, {
      graceSeconds: 60,
    });
    reset();
    expect(res.status).toBe(503);
    expect((await row(old.summary.id)).grace_until).toBeNull();
    const { rows } = await f.sql.query('SELECT 1 FROM api_keys WHERE rotated_from = $1', [
      old.summary.id,
    ]);
    expect(rows).toEqual([]);
  });

  it('when rotating and the new key cannot be published, then 503, the new key is revoked and the old one restored', async () => {
    const old = await create();
    control.fail = (r) => r.keyId !== old.summary.id;
    const res = await f.call('pat', 'POST', `/api-keys/${old.summary.id}/rotate`, {
      graceSeconds: 60,
    });
    reset();
    expect(res.status).toBe(503);
    expect((await row(old.summary.id)).grace_until).toBeNull();
    expect(await actions(old.summary.id)).toEqual([
      'api_key.create',
      'api_key.rotate',
      'api_key.rotate.undo',
    ]);
    const { rows } = await f.sql.query<{ revoked_at: Date | null }>(
      'SELECT revoked_at FROM api_keys WHERE rotated_from = $1',
      [old.summary.id],
    );
    expect(rows[0]!.revoked_at).not.toBeNull();
    // Firestore still carries the grace end until the reconciler puts Postgres's view back.
    expect((await record(old.key))?.notAfter).not.toBeNull();
    await reconcileKeys(pool, projection);
    expect((await record(old.key))?.notAfter).toBeNull();
  });
});

describe('reconciliation', () => {
  it('when a record is missing, one altered and one stray, then `npm run reconcile` repairs all three', async () => {
    await reconcileKeys(pool, projection); // start from a clean slate
    const a = await create('a');
    const b = await create('b');
    const expectedB = await record(b.key);
    await doc(sha256(a.key)).delete();
    await doc(sha256(b.key)).update({
      tier: 'unlimited',
      scopes: ['*'],
      revokedAt: null,
      extra: 1,
    });
    const stray = 'f'.repeat(64);
    await doc(stray).set({ keyId: 'ghost', owner: 'x', scopes: ['*'], tier: 'unlimited' });

    const script = fileURLToPath(new URL('../dist/reconcile.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script], {
      env: {
        ...process.env,
        DATABASE_URL: f.databaseUrl,
        GCLOUD_PROJECT: f.config.projectId,
        FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
        LOG_LEVEL: 'silent',
      },
    });
    expect(JSON.parse(stdout)).toMatchObject({ skipped: false, written: 2, deleted: 1 });
    expect(await record(a.key)).toMatchObject({ keyId: a.summary.id, revokedAt: null });
    expect(await record(b.key)).toEqual(expectedB);
    expect((await doc(stray).get()).exists).toBe(false);
    expect(await reconcileKeys(pool, projection)).toMatchObject({ written: 0, deleted: 0 });
  });

  it('when the server runs with RECONCILE_INTERVAL_SECONDS, then it repairs drift by itself', async () => {
    const k = await create();
    const server = await start(
      { ...f.config, reconcileIntervalSeconds: 1 },
      createLogger('silent'),
    );
    try {
      await doc(sha256(k.key)).delete();
      const deadline = Date.now() + 10_000;
      while (!(await doc(sha256(k.key)).get()).exists && Date.now() < deadline) await sleep(200);
      expect(await record(k.key)).toMatchObject({ keyId: k.summary.id });
    } finally {
      await server.stop();
    }
  });

  // On embedded PGlite the holder's session lock is every connection's (ON_EMBEDDED_POSTGRES).
  it.skipIf(ON_EMBEDDED_POSTGRES)(
    'when another reconciler holds the lock, then this run skips',
    async () => {
      const holder = await pool.connect();
      try {
        await holder.query('SELECT pg_advisory_lock(7231003)');
        expect(await reconcileKeys(pool, projection)).toMatchObject({ skipped: true });
      } finally {
        await holder.query('SELECT pg_advisory_unlock(7231003)');
        holder.release();
      }
    },
  );

  // On embedded PGlite a read waits for the open revocation to commit (ON_EMBEDDED_POSTGRES).
  it.skipIf(ON_EMBEDDED_POSTGRES)(
    'when a reconcile runs while a revocation is between its Firestore write and its commit, then the key stays revoked',
    async () => {
      const { key, summary } = await create();
      control.holdAfterWriteMs = 600;
      const revoking = f.call('pat', 'DELETE', `/api-keys/${summary.id}`);
      // Wait until Firestore says revoked while Postgres has not committed yet.
      while (!(await record(key))?.revokedAt) await sleep(20);
      expect((await row(summary.id)).revoked_at).toBeNull();
      const report = await reconcileKeys(pool, projection);
      expect((await revoking).status).toBe(200);
      reset();
      expect(report.written).toBeGreaterThanOrEqual(1);
      expect((await record(key))?.revokedAt).not.toBeNull();
    },
  );
});
