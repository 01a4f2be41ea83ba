// Disabling an account over real HTTP: Firebase Auth, the token denylist in the real Redis
// (the key the functions check on every call), and the audit entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { denylistKey, type UserAccess } from '@colonycraft/protocol';
import { startAdminFixture, type AdminFixture } from './dev/admin-fixture.js';

let f: AdminFixture;
const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });

beforeAll(async () => {
  f = await startAdminFixture({ env: { REDIS_URL: 'redis://127.0.0.1:6379' } });
  await redis.connect();
}, 180_000);

afterAll(async () => {
  redis.disconnect();
  await f?.stop();
});

describe('PUT /users/:uid/disabled', () => {
  it('when an admin disables an account, then its client tokens are denylisted, Auth refuses it and the change is audited', async () => {
    const res = await f.call<UserAccess>('boss', 'PUT', `/users/${f.uid.pat}/disabled`, {
      disabled: true,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ uid: f.uid.pat, disabled: true });

    const ttl = await redis.pttl(denylistKey.subject(f.uid.pat));
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
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
