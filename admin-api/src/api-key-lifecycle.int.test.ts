// Ending API keys over real HTTP: revocation and rotation, who may do them, what Firestore
// says by the time the API answers, and what the audit log records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeySummary } from '@colonycraft/protocol';
import { startAdminFixture, type AdminFixture } from './dev/admin-fixture.js';
import { keySession, type KeySession } from './dev/key-session.js';

let f: AdminFixture;
let s: KeySession;

beforeAll(async () => {
  f = await startAdminFixture();
  s = keySession(f);
}, 180_000);

afterAll(async () => {
  await f?.stop();
});

describe('DELETE /api-keys/:id', () => {
  it('when a member revokes another member’s key, then the answer is 404 and the key keeps working', async () => {
    const { key, summary } = await s.create('sam');
    const res = await s.call('pat', 'DELETE', `/api-keys/${summary.id}`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain(summary.prefix);
    expect((await s.projection(key))?.revokedAt).toBeNull();
    expect(await s.auditFor(summary.id)).toHaveLength(1);
  });

  it('when an auditor revokes or rotates a key, then the answer is 403 and nothing changes', async () => {
    const { key, summary } = await s.create('sam');
    expect((await s.call('audra', 'DELETE', `/api-keys/${summary.id}`)).status).toBe(403);
    const rotate = await s.call('audra', 'POST', `/api-keys/${summary.id}/rotate`, {
      graceSeconds: 60,
    });
    expect(rotate.status).toBe(403);
    expect(await s.projection(key)).toMatchObject({ revokedAt: null, notAfter: null });
  });

  it('when the owner revokes a key, then Firestore says revoked by the time the API answers', async () => {
    const { key, summary } = await s.create('pat');
    const res = await s.call<ApiKeySummary>('pat', 'DELETE', `/api-keys/${summary.id}`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('revoked');
    expect((await s.projection(key))?.revokedAt).toBe(res.body.revokedAt);
    const entries = await s.auditFor(summary.id);
    expect(entries.map((e) => e.action)).toEqual(['api_key.create', 'api_key.revoke']);
    expect(entries[1]).toMatchObject({
      before: { revokedAt: null },
      after: { revokedAt: res.body.revokedAt },
    });
  });

  it('when a key is revoked twice, then the second answer is the same and adds no audit entry', async () => {
    const { summary } = await s.create('pat');
    const first = await s.call<ApiKeySummary>('pat', 'DELETE', `/api-keys/${summary.id}`);
    const second = await s.call<ApiKeySummary>('pat', 'DELETE', `/api-keys/${summary.id}`);
    expect(second.status).toBe(200);
    expect(second.body.revokedAt).toBe(first.body.revokedAt);
    expect(await s.auditFor(summary.id)).toHaveLength(2);
  });

  it('when an admin revokes a member’s key, then it is revoked', async () => {
    const { summary } = await s.create('sam');
    expect((await s.call('boss', 'DELETE', `/api-keys/${summary.id}`)).status).toBe(200);
  });
});

describe('POST /api-keys/:id/rotate', () => {
  it('when a key is rotated, then a new key is shown once and the old one stops at now + grace', async () => {
    const old = await s.create('pat', { name: 'ci', scopes: ['local/echo'] });
    const t0 = Date.now();
    const res = await s.rotate('pat', old.summary.id, 3600);
    const t1 = Date.now();
    expect(res.status).toBe(201);
    expect(res.body.key).not.toBe(old.key);
    expect(res.body.summary).toMatchObject({
      name: 'ci',
      scopes: ['local/echo'],
      owner: f.uid.pat,
      rotatedFrom: old.summary.id,
      status: 'active',
    });
    const oldRecord = await s.projection(old.key);
    expect(oldRecord?.revokedAt).toBeNull();
    expect(oldRecord?.notAfter).toBeGreaterThanOrEqual(t0 + 3_600_000 - 5);
    expect(oldRecord?.notAfter).toBeLessThanOrEqual(t1 + 3_600_000 + 5);
    expect(await s.projection(res.body.key)).toMatchObject({
      keyId: res.body.summary.id,
      notAfter: null,
      revokedAt: null,
    });
    const listed = await s.call<ApiKeySummary>('pat', 'GET', `/api-keys/${old.summary.id}`);
    expect(listed.body).toMatchObject({ status: 'rotating', graceUntil: oldRecord?.notAfter });
    const [, rotation] = await s.auditFor(old.summary.id);
    expect(rotation).toMatchObject({
      action: 'api_key.rotate',
      before: { graceUntil: null },
      after: { graceUntil: oldRecord?.notAfter, replacement: { id: res.body.summary.id } },
    });
  });

  it('when the grace is 0, then the old key stops at once', async () => {
    const old = await s.create('pat');
    expect((await s.rotate('pat', old.summary.id, 0)).status).toBe(201);
    expect((await s.projection(old.key))?.notAfter).toBeLessThanOrEqual(Date.now());
    const listed = await s.call<ApiKeySummary>('pat', 'GET', `/api-keys/${old.summary.id}`);
    expect(listed.body.status).toBe('rotated');
  });

  it('when a rotated or revoked key is rotated, then the answer is 409', async () => {
    const old = await s.create('pat');
    const res = await s.rotate('pat', old.summary.id, 10);
    const again = await s.call('pat', 'POST', `/api-keys/${old.summary.id}/rotate`, {
      graceSeconds: 10,
    });
    expect(again.status).toBe(409);
    await s.call('pat', 'DELETE', `/api-keys/${res.body.summary.id}`);
    const revoked = await s.call('pat', 'POST', `/api-keys/${res.body.summary.id}/rotate`, {
      graceSeconds: 10,
    });
    expect(revoked.status).toBe(409);
  });

  it('when a member rotates another member’s key, then the answer is 404 and no key is made', async () => {
    const { key, summary } = await s.create('sam');
    const res = await s.call('pat', 'POST', `/api-keys/${summary.id}/rotate`, { graceSeconds: 5 });
    expect(res.status).toBe(404);
    expect((await s.projection(key))?.notAfter).toBeNull();
    const { rows } = await f.sql.query('SELECT 1 FROM api_keys WHERE rotated_from = $1', [
      summary.id,
    ]);
    expect(rows).toEqual([]);
  });

  it('when graceSeconds is missing or negative, then the answer is 400 naming it', async () => {
    const { summary } = await s.create('pat');
    for (const body of [{}, { graceSeconds: -1 }]) {
      const res = await s.call<{ error: { message: string } }>(
        'pat',
        'POST',
        `/api-keys/${summary.id}/rotate`,
        body,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/graceSeconds/);
    }
  });
});

describe('the key itself', () => {
  it('when keys were issued, then none appears in any other response, log line or audit entry', async () => {
    await s.expectNoLeaks();
  });
});
