// Users and roles over real HTTP: who may list and change roles, the claim mirror and token
// revocation, and the last-admin rule, also when demotions race each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserList, UserSummary } from '@colonycraft/protocol';
import { startAdminFixture, type AdminFixture, type UserName } from './dev/admin-fixture.js';

let f: AdminFixture;

beforeAll(async () => {
  f = await startAdminFixture();
}, 180_000);

afterAll(async () => {
  await f?.stop();
});

async function roleInDb(uid: string): Promise<string | undefined> {
  const { rows } = await f.sql.query<{ role: string }>(
    'SELECT role FROM user_roles WHERE uid = $1',
    [uid],
  );
  return rows[0]?.role;
}

/** Puts both admins back after a test that demoted one of them. */
async function restoreAdmins(): Promise<void> {
  const admin: UserName = (await roleInDb(f.uid.boss)) === 'admin' ? 'boss' : 'ada';
  for (const name of ['boss', 'ada'] as const) {
    if ((await roleInDb(f.uid[name])) !== 'admin') {
      expect(
        (await f.call(admin, 'PUT', `/users/${f.uid[name]}/role`, { role: 'admin' })).status,
      ).toBe(200);
    }
  }
}

describe('GET /users', () => {
  it('when an admin or an auditor lists users, then each comes with uid, email and role', async () => {
    for (const who of ['boss', 'audra'] as const) {
      const res = await f.call<UserList>(who, 'GET', '/users');
      expect(res.status).toBe(200);
      const byEmail = new Map(res.body.users.map((u) => [u.email, u]));
      expect(byEmail.get('pat@example.test')).toMatchObject({ uid: f.uid.pat, role: 'member' });
      expect(byEmail.get('audra@example.test')).toMatchObject({ role: 'auditor' });
      expect(byEmail.get('boss@example.test')).toMatchObject({ role: 'admin', disabled: false });
    }
  });

  it('when a user has no role row, then the list shows them as a member', async () => {
    const created = await f.auth.createUser({ email: 'norow@example.test', password: 'norow-pw' });
    const res = await f.call<UserList>('boss', 'GET', '/users?limit=1000');
    expect(res.body.users.find((u) => u.uid === created.uid)?.role).toBe('member');
  });

  it('when the list is paged, then the page token leads to the rest', async () => {
    const first = await f.call<UserList>('boss', 'GET', '/users?limit=2');
    expect(first.body.users).toHaveLength(2);
    expect(first.body.nextPageToken).toEqual(expect.any(String));
    const second = await f.call<UserList>(
      'boss',
      'GET',
      `/users?limit=2&pageToken=${encodeURIComponent(first.body.nextPageToken!)}`,
    );
    expect(second.body.users).toHaveLength(2);
    expect(second.body.users[0]!.uid).not.toBe(first.body.users[0]!.uid);
  });

  it('when a member lists users, then the answer is 403', async () => {
    expect((await f.call('pat', 'GET', '/users')).status).toBe(403);
  });
});

describe('PUT /users/:uid/role', () => {
  it('when an admin changes a role, then Postgres, the claim and the audit log follow, and old sessions end', async () => {
    const oldToken = await f.token('sam');
    await new Promise((r) => setTimeout(r, 1100)); // revocation has one-second resolution
    const res = await f.call<UserSummary>('boss', 'PUT', `/users/${f.uid.sam}/role`, {
      role: 'auditor',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ uid: f.uid.sam, role: 'auditor' });
    expect(await roleInDb(f.uid.sam)).toBe('auditor');
    const user = await f.auth.getUser(f.uid.sam);
    expect(user.customClaims).toMatchObject({ role: 'auditor' });
    expect(Date.parse(user.tokensValidAfterTime!)).toBeGreaterThan(0);
    const stale = await fetch(`${f.url}/me`, { headers: { authorization: `Bearer ${oldToken}` } });
    expect(stale.status).toBe(401);
    const { rows } = await f.sql.query(
      `SELECT actor, action, target, before, after FROM audit_log WHERE target = $1`,
      [`user:${f.uid.sam}`],
    );
    expect(rows).toEqual([
      {
        actor: f.uid.boss,
        action: 'user.role.set',
        target: `user:${f.uid.sam}`,
        before: { role: 'member' },
        after: { role: 'auditor' },
      },
    ]);
    await f.call('boss', 'PUT', `/users/${f.uid.sam}/role`, { role: 'member' });
  });

  it('when an auditor or a member tries to change a role, then the answer is 403 and nothing changes', async () => {
    for (const who of ['audra', 'pat'] as const) {
      const res = await f.call(who, 'PUT', `/users/${f.uid[who]}/role`, { role: 'admin' });
      expect(res.status).toBe(403);
      expect(await roleInDb(f.uid[who])).not.toBe('admin');
    }
  });

  it('when the role is not one of the three, then the answer is 400 naming the field', async () => {
    const res = await f.call<{ error: { code: string; message: string } }>(
      'boss',
      'PUT',
      `/users/${f.uid.pat}/role`,
      { role: 'owner' },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Invalid body: role:/);
  });

  it('when the user does not exist, then the answer is 404', async () => {
    const res = await f.call('boss', 'PUT', '/users/no-such-uid/role', { role: 'member' });
    expect(res.status).toBe(404);
  });

  it('when the last admin is demoted, then the answer is 409 and they stay admin', async () => {
    expect(
      (await f.call('boss', 'PUT', `/users/${f.uid.ada}/role`, { role: 'member' })).status,
    ).toBe(200);
    const res = await f.call<{ error: { code: string } }>(
      'boss',
      'PUT',
      `/users/${f.uid.boss}/role`,
      {
        role: 'auditor',
      },
    );
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(await roleInDb(f.uid.boss)).toBe('admin');
    await restoreAdmins();
  });

  it('when the last two admins each demote themselves at once, then exactly one succeeds and the other gets 409', async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([
        f.call('boss', 'PUT', `/users/${f.uid.boss}/role`, { role: 'member' }),
        f.call('ada', 'PUT', `/users/${f.uid.ada}/role`, { role: 'member' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const roles = [await roleInDb(f.uid.boss), await roleInDb(f.uid.ada)];
      expect(roles.filter((r) => r === 'admin')).toHaveLength(1);
      await restoreAdmins();
    }
  });

  it('when two admins demote each other at once, then exactly one succeeds and one admin is left', async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([
        f.call('boss', 'PUT', `/users/${f.uid.ada}/role`, { role: 'member' }),
        f.call('ada', 'PUT', `/users/${f.uid.boss}/role`, { role: 'member' }),
      ]);
      const statuses = [a.status, b.status];
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      // The loser is no longer an admin (403), or its session was just revoked (401).
      expect([401, 403]).toContain(statuses.find((s) => s !== 200));
      const roles = [await roleInDb(f.uid.boss), await roleInDb(f.uid.ada)];
      expect(roles.filter((r) => r === 'admin')).toHaveLength(1);
      await restoreAdmins();
    }
  });
});
