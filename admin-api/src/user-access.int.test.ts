// Disabling an account over real HTTP: Firebase Auth, the token denylist in the real Redis
// (the key the functions check on every call), and the audit entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  DENYLIST_TTL_SECONDS,
  denylistKey,
  type ApiKeyRecord,
  type ApiKeySummary,
  type CreatedApiKey,
  type UserAccess,
} from '@colonycraft/protocol';
import { ON_EMBEDDED_POSTGRES, TEST_REDIS_URL } from '@colonycraft/testing';
import { firestoreKeyProjection } from './data/key-projection.js';
import { startAdminFixture, type AdminFixture } from './dev/admin-fixture.js';
import { sha256 } from './dev/key-session.js';
import { reconcileKeys } from './domain/reconcile-keys.js';

let f: AdminFixture;
const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });

beforeAll(async () => {
  f = await startAdminFixture({ env: { REDIS_URL: TEST_REDIS_URL } });
  await redis.connect();
}, 180_000);

afterAll(async () => {
  redis.disconnect();
  await f?.stop();
});

let users = 0;
/** A fresh account, so each test starts from an enabled user with no denylist entry. */
async function newUser(): Promise<string> {
  users += 1;
  const email = `access-${users}-${Date.now()}@example.test`;
  return (await f.auth.createUser({ email, password: 'pw-123456' })).uid;
}

async function disable(uid: string, disabled: boolean): Promise<void> {
  const res = await f.call<UserAccess>('boss', 'PUT', `/users/${uid}/disabled`, { disabled });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ uid, disabled });
}

async function accessAudit(uid: string) {
  const { rows } = await f.sql.query(
    `SELECT before, after FROM audit_log WHERE target = $1 AND action = 'user.disabled.set'
     ORDER BY seq`,
    [`user:${uid}`],
  );
  return rows;
}

/** Runs `work` while the audit log refuses `user.disabled.set` entries, as a failing write would. */
async function whileAuditRefused(work: () => Promise<void>): Promise<void> {
  await f.sql.query(`
    CREATE FUNCTION refuse_access_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit refused (test)'; END $$;
    CREATE TRIGGER refuse_access_audit BEFORE INSERT ON audit_log FOR EACH ROW
      WHEN (NEW.action = 'user.disabled.set') EXECUTE FUNCTION refuse_access_audit();`);
  try {
    await work();
  } finally {
    await f.sql.query(
      'DROP TRIGGER refuse_access_audit ON audit_log; DROP FUNCTION refuse_access_audit()',
    );
  }
}

describe('PUT /users/:uid/disabled', () => {
  it('when an admin disables an account, then its client tokens are denylisted, Auth refuses it and the change is audited', async () => {
    const res = await f.call<UserAccess>('boss', 'PUT', `/users/${f.uid.pat}/disabled`, {
      disabled: true,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ uid: f.uid.pat, disabled: true });

    // Longer than a token lives (15 minutes) and an API key's record is cached (30 s).
    const ttl = await redis.pttl(denylistKey.subject(f.uid.pat));
    expect(ttl).toBeGreaterThan(15 * 60_000 + 30_000);
    expect(ttl).toBeLessThanOrEqual(DENYLIST_TTL_SECONDS * 1000);
    expect((await f.auth.getUser(f.uid.pat)).disabled).toBe(true);
    const { rows } = await f.sql.query(
      `SELECT action, before, after FROM audit_log WHERE target = $1 AND action = 'user.disabled.set'`,
      [`user:${f.uid.pat}`],
    );
    expect(rows).toEqual([
      { action: 'user.disabled.set', before: { disabled: false }, after: { disabled: true } },
    ]);

    const again = await f.call<UserAccess>('boss', 'PUT', `/users/${f.uid.pat}/disabled`, {
      disabled: false,
    });
    expect(again.body).toEqual({ uid: f.uid.pat, disabled: false });
    expect((await f.auth.getUser(f.uid.pat)).disabled).toBe(false);
  });

  it('when an admin tries to disable their own account, then 409', async () => {
    const res = await f.call('boss', 'PUT', `/users/${f.uid.boss}/disabled`, { disabled: true });
    expect(res.status).toBe(409);
  });

  it('when a member or an auditor tries, then 403 and nothing changes', async () => {
    for (const who of ['sam', 'audra'] as const) {
      const res = await f.call(who, 'PUT', `/users/${f.uid.boss}/disabled`, { disabled: true });
      expect(res.status).toBe(403);
    }
    expect((await f.auth.getUser(f.uid.boss)).disabled).toBe(false);
  });

  it('when an account is re-enabled, then its denylist entry is gone, so its new tokens work at once', async () => {
    const uid = await newUser();
    await disable(uid, true);
    expect(await redis.exists(denylistKey.subject(uid))).toBe(1);
    await disable(uid, false);
    expect(await redis.exists(denylistKey.subject(uid))).toBe(0);
  });

  it('when the audit entry cannot be written, then Auth and the denylist are put back, and a retry is recorded', async () => {
    const uid = await newUser();
    await whileAuditRefused(async () => {
      const failed = await f.call('boss', 'PUT', `/users/${uid}/disabled`, { disabled: true });
      expect(failed.status).toBe(500);
      expect((await f.auth.getUser(uid)).disabled).toBe(false);
      expect(await redis.exists(denylistKey.subject(uid))).toBe(0);
      expect(await accessAudit(uid)).toEqual([]);
    });
    await disable(uid, true);
    expect((await f.auth.getUser(uid)).disabled).toBe(true);
    expect(await redis.exists(denylistKey.subject(uid))).toBe(1);
    expect(await accessAudit(uid)).toEqual([
      { before: { disabled: false }, after: { disabled: true } },
    ]);
  });

  it('when re-enabling cannot be audited, then the account stays disabled and denied', async () => {
    const uid = await newUser();
    await disable(uid, true);
    await whileAuditRefused(async () => {
      const failed = await f.call('boss', 'PUT', `/users/${uid}/disabled`, { disabled: false });
      expect(failed.status).toBe(500);
      expect((await f.auth.getUser(uid)).disabled).toBe(true);
      expect(await redis.exists(denylistKey.subject(uid))).toBe(1);
    });
  });

  // It watches pg_stat_activity for the request waiting on the holder's row lock; on embedded
  // PGlite every connection waits for the holder's turn instead (ON_EMBEDDED_POSTGRES).
  it.skipIf(ON_EMBEDDED_POSTGRES)(
    'when the caller stops being an admin while the request waits for the lock, then 403 and no denylist entry',
    async () => {
      const uid = await newUser();
      const holder = await f.sql.connect();
      try {
        await holder.query('BEGIN');
        await holder.query(`SELECT uid FROM user_roles WHERE role = 'admin' FOR UPDATE`);
        const pending = f.call('boss', 'PUT', `/users/${uid}/disabled`, { disabled: true });
        // The request has passed authentication and waits on the admin rows.
        await expect
          .poll(
            async () => {
              const { rows } = await f.sql.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'`,
              );
              return rows[0]!.n;
            },
            { timeout: 10_000 },
          )
          .toBe(1);
        await holder.query(`UPDATE user_roles SET role = 'member' WHERE uid = $1`, [f.uid.boss]);
        await holder.query('COMMIT');
        expect((await pending).status).toBe(403);
      } finally {
        holder.release();
        await f.sql.query(`UPDATE user_roles SET role = 'admin' WHERE uid = $1`, [f.uid.boss]);
      }
      expect(await redis.exists(denylistKey.subject(uid))).toBe(0);
      expect((await f.auth.getUser(uid)).disabled).toBe(false);
    },
  );

  it('when Auth says disabled but Postgres does not (disabled before the column existed), then disabling again records it', async () => {
    const uid = await newUser();
    await f.auth.updateUser(uid, { disabled: true });
    await disable(uid, true);
    const { rows } = await f.sql.query('SELECT disabled FROM user_roles WHERE uid = $1', [uid]);
    expect(rows).toEqual([{ disabled: true }]);
    expect(await redis.exists(denylistKey.subject(uid))).toBe(1);
    expect(await accessAudit(uid)).toEqual([
      { before: { disabled: false }, after: { disabled: true } },
    ]);
  });

  it('when the body is not a boolean, then 400 names the field', async () => {
    const res = await f.call<{ error: { message: string } }>(
      'boss',
      'PUT',
      `/users/${f.uid.pat}/disabled`,
      {
        disabled: 'yes',
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('disabled');
  });
});

describe('the last enabled admin', () => {
  /** Both admins enabled and admins again, whatever a test left (even no admin to do it). */
  async function restoreAdmins(): Promise<void> {
    const admins = [f.uid.boss, f.uid.ada];
    await f.sql.query(
      `UPDATE user_roles SET role = 'admin', disabled = false WHERE uid = ANY($1)`,
      [admins],
    );
    for (const uid of admins) {
      await f.auth.updateUser(uid, { disabled: false });
      await redis.del(denylistKey.subject(uid));
    }
  }

  async function enabledAdmins(): Promise<string[]> {
    const { rows } = await f.sql.query<{ uid: string }>(
      `SELECT uid FROM user_roles WHERE role = 'admin' ORDER BY uid`,
    );
    const enabled: string[] = [];
    for (const { uid } of rows) if (!(await f.auth.getUser(uid)).disabled) enabled.push(uid);
    return enabled;
  }

  it('when an admin disables the other admin and then demotes themselves, then 409 and they stay admin', async () => {
    await disable(f.uid.ada, true);
    const res = await f.call<{ error: { code: string } }>(
      'boss',
      'PUT',
      `/users/${f.uid.boss}/role`,
      { role: 'member' },
    );
    try {
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('conflict');
      expect(await enabledAdmins()).toEqual([f.uid.boss]);
    } finally {
      await restoreAdmins();
    }
  });

  it('when a disabled admin is demoted, then that is allowed: the enabled admins stay', async () => {
    await disable(f.uid.ada, true);
    const res = await f.call('boss', 'PUT', `/users/${f.uid.ada}/role`, { role: 'member' });
    try {
      expect(res.status).toBe(200);
      expect(await enabledAdmins()).toEqual([f.uid.boss]);
    } finally {
      await restoreAdmins();
    }
  });

  it('when the last two enabled admins disable each other at once, then exactly one succeeds and one enabled admin is left', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([
        f.call('boss', 'PUT', `/users/${f.uid.ada}/disabled`, { disabled: true }),
        f.call('ada', 'PUT', `/users/${f.uid.boss}/disabled`, { disabled: true }),
      ]);
      try {
        const statuses = [a.status, b.status];
        expect(statuses.filter((s) => s === 200)).toHaveLength(1);
        // The loser was disabled first: refused at sign-in (401) or under the lock (403 or 409).
        expect([401, 403, 409]).toContain(statuses.find((s) => s !== 200));
        expect(await enabledAdmins()).toHaveLength(1);
      } finally {
        await restoreAdmins();
      }
    }
  });
});

describe('a disabled account’s API keys', () => {
  const record = async (key: string) =>
    (await f.firestore.doc(`apiKeys/${sha256(key)}`).get()).data() as ApiKeyRecord | undefined;

  async function createKey(owner: string, name = 'k'): Promise<CreatedApiKey> {
    const res = await f.call<CreatedApiKey>('boss', 'POST', '/api-keys', {
      name,
      scopes: ['*'],
      owner,
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  it('when an account is disabled, then every record of its keys says so; re-enabled, they work again, never revoked', async () => {
    const uid = await newUser();
    const live = await createKey(uid, 'live');
    const revoked = await createKey(uid, 'revoked');
    expect((await f.call('boss', 'DELETE', `/api-keys/${revoked.summary.id}`)).status).toBe(200);
    expect((await record(live.key))?.ownerDisabled).toBe(false);

    await disable(uid, true);
    expect(await record(live.key)).toMatchObject({ ownerDisabled: true, revokedAt: null });
    expect(await record(revoked.key)).toMatchObject({ ownerDisabled: true });
    const summary = await f.call<ApiKeySummary>('boss', 'GET', `/api-keys/${live.summary.id}`);
    expect(summary.body.status).toBe('active');

    await disable(uid, false);
    expect(await record(live.key)).toMatchObject({ ownerDisabled: false, revokedAt: null });
    expect((await record(revoked.key))?.revokedAt).toEqual(expect.any(Number));
  });

  it('when a key is created, revoked or rotated for a disabled owner, then its record says the owner is disabled', async () => {
    const uid = await newUser();
    await disable(uid, true);
    const created = await createKey(uid);
    expect((await record(created.key))?.ownerDisabled).toBe(true);
    const rotated = await f.call<CreatedApiKey>(
      'boss',
      'POST',
      `/api-keys/${created.summary.id}/rotate`,
      { graceSeconds: 60 },
    );
    expect(rotated.status).toBe(201);
    expect((await record(rotated.body.key))?.ownerDisabled).toBe(true);
    expect((await record(created.key))?.ownerDisabled).toBe(true);
    expect((await f.call('boss', 'DELETE', `/api-keys/${rotated.body.summary.id}`)).status).toBe(
      200,
    );
    expect(await record(rotated.body.key)).toMatchObject({
      ownerDisabled: true,
      revokedAt: expect.any(Number),
    });
  });

  it('when disabling cannot be audited, then the key records are put back too', async () => {
    const uid = await newUser();
    const { key } = await createKey(uid);
    await whileAuditRefused(async () => {
      const failed = await f.call('boss', 'PUT', `/users/${uid}/disabled`, { disabled: true });
      expect(failed.status).toBe(500);
      expect((await record(key))?.ownerDisabled).toBe(false);
    });
  });

  it('when a record lost the mark, then the reconciler puts it back from Postgres', async () => {
    const uid = await newUser();
    const { key } = await createKey(uid);
    await disable(uid, true);
    await f.firestore.doc(`apiKeys/${sha256(key)}`).update({ ownerDisabled: false });
    const report = await reconcileKeys(f.sql, firestoreKeyProjection(f.firestore, 5000));
    expect(report.written).toBeGreaterThanOrEqual(1);
    expect((await record(key))?.ownerDisabled).toBe(true);
  });
});

describe('a revoked API key’s client tokens', () => {
  const newKey = async (uid: string) => {
    const created = await f.call<CreatedApiKey>('boss', 'POST', '/api-keys', {
      name: 'to end',
      scopes: ['*'],
      owner: uid,
    });
    expect(created.status).toBe(201);
    const id = created.body.summary.id;
    expect(await redis.exists(denylistKey.apiKey(id))).toBe(0);
    return id;
  };
  /** Longer than the last token exchanged for it can live, from a record cached 30 s. */
  const expectOutlivesEveryToken = async (id: string) => {
    const ttl = await redis.pttl(denylistKey.apiKey(id));
    expect(ttl).toBeGreaterThan(15 * 60_000 + 30_000);
    expect(ttl).toBeLessThanOrEqual(DENYLIST_TTL_SECONDS * 1000);
  };

  it('when a key is revoked, then its id goes on the token denylist for longer than any of its tokens lives', async () => {
    const id = await newKey(await newUser());
    expect((await f.call('boss', 'DELETE', `/api-keys/${id}`)).status).toBe(200);
    await expectOutlivesEveryToken(id);
  });

  it('when a key is rotated without grace, then its id goes on the token denylist as on a revocation; with grace, it does not', async () => {
    const uid = await newUser();
    const now = await newKey(uid);
    expect(
      (await f.call('boss', 'POST', `/api-keys/${now}/rotate`, { graceSeconds: 0 })).status,
    ).toBe(201);
    await expectOutlivesEveryToken(now);

    const later = await newKey(uid);
    expect(
      (await f.call('boss', 'POST', `/api-keys/${later}/rotate`, { graceSeconds: 60 })).status,
    ).toBe(201);
    expect(await redis.exists(denylistKey.apiKey(later))).toBe(0);
  });
});

describe('the owner’s tier in their API keys’ records', () => {
  const ownerTier = async (key: string) =>
    ((await f.firestore.doc(`apiKeys/${sha256(key)}`).get()).data() as ApiKeyRecord | undefined)
      ?.ownerTier;

  it('follows the owner’s assigned tier and role, whatever tier the key itself has', async () => {
    const uid = await newUser();
    const created = await f.call<CreatedApiKey>('boss', 'POST', '/api-keys', {
      name: 'standard key',
      scopes: ['*'],
      owner: uid,
      tier: 'standard',
    });
    expect(created.status).toBe(201);
    const { key } = created.body;
    expect(await ownerTier(key)).toBe('standard');

    expect((await f.call('boss', 'PUT', `/users/${uid}/tier`, { tier: 'free' })).status).toBe(200);
    expect(await ownerTier(key)).toBe('free');
    expect((await f.call('boss', 'PUT', `/users/${uid}/tier`, { tier: null })).status).toBe(200);
    expect((await f.call('boss', 'PUT', `/users/${uid}/role`, { role: 'admin' })).status).toBe(200);
    expect(await ownerTier(key)).toBe('unlimited');
    expect((await f.call('boss', 'PUT', `/users/${uid}/role`, { role: 'member' })).status).toBe(
      200,
    );
    expect(await ownerTier(key)).toBe('standard');
  });
});
