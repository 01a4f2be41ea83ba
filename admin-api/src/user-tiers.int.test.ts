// Tiers per user over real HTTP: Postgres, the custom claim `tier` beside `role`, token
// revocation and the audit entry; what GET /users and GET /me show with and without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Me, UserList, UserSummary } from '@colonycraft/protocol';
import { startAdminFixture, type AdminFixture } from './dev/admin-fixture.js';

let f: AdminFixture;

beforeAll(async () => {
  f = await startAdminFixture();
}, 180_000);

afterAll(async () => {
  await f?.stop();
});

async function tierInDb(uid: string): Promise<string | null | undefined> {
  const { rows } = await f.sql.query<{ tier: string | null }>(
    'SELECT tier FROM user_roles WHERE uid = $1',
    [uid],
  );
  return rows[0]?.tier;
}

async function tierAudit(uid: string) {
  const { rows } = await f.sql.query(
    `SELECT actor, action, before, after FROM audit_log WHERE target = $1 AND action = 'user.tier.set'
     ORDER BY seq`,
    [`user:${uid}`],
  );
  return rows;
}

async function listed(uid: string): Promise<UserSummary | undefined> {
  const res = await f.call<UserList>('audra', 'GET', '/users?limit=1000');
  expect(res.status).toBe(200);
  return res.body.users.find((u) => u.uid === uid);
}

describe('tiers without an assignment', () => {
  it('when no tier was assigned, then GET /users shows the one the functions derive from the role', async () => {
    expect(await listed(f.uid.boss)).toMatchObject({ tier: 'unlimited', assignedTier: null });
    expect(await listed(f.uid.sam)).toMatchObject({ tier: 'standard', assignedTier: null });
    expect(await listed(f.uid.audra)).toMatchObject({ tier: 'standard', assignedTier: null });
    expect((await f.auth.getUser(f.uid.boss)).customClaims).toEqual({ role: 'admin' });
  });
});

describe('PUT /users/:uid/tier', () => {
  it('when an admin assigns a tier, then Postgres, the claim (role kept) and the audit log follow, and old sessions end', async () => {
    const oldToken = await f.token('pat');
    await new Promise((r) => setTimeout(r, 1100)); // revocation has one-second resolution
    const res = await f.call<UserSummary>('boss', 'PUT', `/users/${f.uid.pat}/tier`, {
      tier: 'free',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      uid: f.uid.pat,
      role: 'member',
      tier: 'free',
      assignedTier: 'free',
    });
    expect(await tierInDb(f.uid.pat)).toBe('free');
    expect((await f.auth.getUser(f.uid.pat)).customClaims).toEqual({
      role: 'member',
      tier: 'free',
    });
    const stale = await fetch(`${f.url}/me`, { headers: { authorization: `Bearer ${oldToken}` } });
    expect(stale.status).toBe(401);
    expect(await tierAudit(f.uid.pat)).toEqual([
      {
        actor: f.uid.boss,
        action: 'user.tier.set',
        before: { tier: null },
        after: { tier: 'free' },
      },
    ]);
    expect(await listed(f.uid.pat)).toMatchObject({ tier: 'free', assignedTier: 'free' });
    expect((await f.call<Me>('pat', 'GET', '/me')).body).toMatchObject({ tier: 'free' });
  });

  it('when the same tier is assigned again, then nothing new is recorded', async () => {
    const before = (await tierAudit(f.uid.pat)).length;
    const res = await f.call('boss', 'PUT', `/users/${f.uid.pat}/tier`, { tier: 'free' });
    expect(res.status).toBe(200);
    expect(await tierAudit(f.uid.pat)).toHaveLength(before);
  });

  it('when the role changes afterwards, then the tier claim stays', async () => {
    expect(
      (await f.call('boss', 'PUT', `/users/${f.uid.pat}/role`, { role: 'auditor' })).status,
    ).toBe(200);
    expect((await f.auth.getUser(f.uid.pat)).customClaims).toEqual({
      role: 'auditor',
      tier: 'free',
    });
    expect(
      (await f.call('boss', 'PUT', `/users/${f.uid.pat}/role`, { role: 'member' })).status,
    ).toBe(200);
  });

  it('when the assignment is removed with null, then the claim loses `tier` and the tier follows the role', async () => {
    const admin = await f.call<UserSummary>('boss', 'PUT', `/users/${f.uid.ada}/tier`, {
      tier: 'standard',
    });
    expect(admin.body).toMatchObject({ role: 'admin', tier: 'standard', assignedTier: 'standard' });
    const cleared = await f.call<UserSummary>('boss', 'PUT', `/users/${f.uid.ada}/tier`, {
      tier: null,
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ tier: 'unlimited', assignedTier: null });
    expect(await tierInDb(f.uid.ada)).toBeNull();
    expect((await f.auth.getUser(f.uid.ada)).customClaims).toEqual({ role: 'admin' });
    expect((await tierAudit(f.uid.ada)).map((e) => [e.before, e.after])).toEqual([
      [{ tier: null }, { tier: 'standard' }],
      [{ tier: 'standard' }, { tier: null }],
    ]);
  });

  it('when the user has no role row yet, then they get one as a member with the tier', async () => {
    const created = await f.auth.createUser({
      email: 'tierless@example.test',
      password: 'pw-123456',
    });
    const res = await f.call<UserSummary>('boss', 'PUT', `/users/${created.uid}/tier`, {
      tier: 'unlimited',
    });
    expect(res.body).toMatchObject({ role: 'member', tier: 'unlimited' });
    const { rows } = await f.sql.query('SELECT role, tier FROM user_roles WHERE uid = $1', [
      created.uid,
    ]);
    expect(rows).toEqual([{ role: 'member', tier: 'unlimited' }]);
    expect((await f.auth.getUser(created.uid)).customClaims).toEqual({ tier: 'unlimited' });
  });

  it('when an auditor or a member tries, then the answer is 403 and nothing changes', async () => {
    for (const who of ['audra', 'sam'] as const) {
      const res = await f.call(who, 'PUT', `/users/${f.uid.sam}/tier`, {
        tier: 'unlimited',
      });
      expect(res.status).toBe(403);
    }
    expect(await tierInDb(f.uid.sam)).toBeNull();
    expect((await f.auth.getUser(f.uid.sam)).customClaims).toEqual({ role: 'member' });
  });

  it('when the tier is not one of the three, then the answer is 400 naming the field', async () => {
    const res = await f.call<{ error: { message: string } }>(
      'boss',
      'PUT',
      `/users/${f.uid.sam}/tier`,
      { tier: 'gold' },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Invalid body: tier:/);
  });

  it('when the user does not exist, then the answer is 404', async () => {
    const res = await f.call('boss', 'PUT', '/users/no-such-uid/tier', { tier: 'free' });
    expect(res.status).toBe(404);
  });

  it('when a demotion and a tier change of one admin race, then the claims end as Postgres says', async () => {
    // Each use case must read the claims it merges into under the admins lock: read before it,
    // the one that waits writes back what the other had just replaced (`role: admin`, or no tier).
    for (let round = 0; round < 10; round++) {
      const promoted = await f.call('boss', 'PUT', `/users/${f.uid.ada}/role`, { role: 'admin' });
      expect(promoted.status).toBe(200);
      const tier = round % 2 === 0 ? 'free' : 'standard';
      const [demoted, tiered] = await Promise.all([
        f.call('boss', 'PUT', `/users/${f.uid.ada}/role`, { role: 'member' }),
        f.call('boss', 'PUT', `/users/${f.uid.ada}/tier`, { tier }),
      ]);
      expect([demoted.status, tiered.status]).toEqual([200, 200]);
      const { rows } = await f.sql.query('SELECT role, tier FROM user_roles WHERE uid = $1', [
        f.uid.ada,
      ]);
      expect(rows).toEqual([{ role: 'member', tier }]);
      expect((await f.auth.getUser(f.uid.ada)).customClaims).toEqual({ role: 'member', tier });
    }
    expect(
      (await f.call('boss', 'PUT', `/users/${f.uid.ada}/role`, { role: 'admin' })).status,
    ).toBe(200);
    expect((await f.call('boss', 'PUT', `/users/${f.uid.ada}/tier`, { tier: null })).status).toBe(
      200,
    );
  });
});
