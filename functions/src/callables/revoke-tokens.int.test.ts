// Revoked client tokens stop working on every endpoint before they expire, with the denylist
// in the real Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { getFunctions, httpsCallableFromURL, type Functions } from 'firebase/functions';
import { Redis } from 'ioredis';
import { denylistKey } from '@colonycraft/protocol';
import { TEST_REDIS_URL } from '@colonycraft/testing';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';

let gw: GatewayFixture;
let app: FirebaseApp;
let functions: Functions;

beforeAll(async () => {
  gw = await startGatewayFixture({ REDIS_URL: TEST_REDIS_URL });
  app = initializeApp(
    { apiKey: 'demo-api-key', projectId: 'demo-colonycraft' },
    `revoke-${Date.now()}`,
  );
  functions = getFunctions(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await gw?.stop();
});

const call = (name: string, data: unknown) =>
  httpsCallableFromURL(functions, `${gw.url}${name}`)(data);
const chat = (clientToken: string) =>
  call('chatBy-local', {
    clientToken,
    model: 'local/echo',
    messages: [{ role: 'user', content: 'still there?' }],
  });
const v1 = (token: string) =>
  fetch(`${gw.url}v1/v1/models`, { headers: { authorization: `Bearer ${token}` } }).then(
    (r) => r.status,
  );

describe('revoking client tokens', () => {
  it('when a caller revokes its own token, then that token is refused everywhere and a new one still works', async () => {
    const sub = `signing-out-${Date.now()}`;
    const token = await gw.token({ sub });
    await chat(token);
    await call('revokeClientToken', { clientToken: token });
    await expect(chat(token)).rejects.toMatchObject({ code: 'functions/unauthenticated' });
    expect(await v1(token)).toBe(401);
    expect(await v1(await gw.token({ sub }))).toBe(200);
  });

  it('when a revoked token calls more times than the tier allows at once, then no call keeps a slot and a new token still chats', async () => {
    const sub = `revoked-calls-${Date.now()}`;
    const token = await gw.token({ sub });
    await call('revokeClientToken', { clientToken: token });
    // The standard tier allows 4 calls at once: each of these is admitted beside the denylist
    // check, refused as revoked, and must hand its slot back.
    const refused = await Promise.allSettled(Array.from({ length: 6 }, () => chat(token)));
    for (const r of refused) {
      expect(r).toMatchObject({
        status: 'rejected',
        reason: { code: 'functions/unauthenticated' },
      });
    }
    const fresh = await gw.token({ sub });
    await expect(Promise.all(Array.from({ length: 4 }, () => chat(fresh)))).resolves.toHaveLength(
      4,
    );
  });

  it("when an admin revokes a user's tokens, then every token of that user is refused", async () => {
    const sub = `disabled-${Date.now()}`;
    const first = await gw.token({ sub });
    const second = await gw.token({ sub });
    const admin = await gw.token({ role: 'admin' });
    await call('revokeUserTokens', { clientToken: admin, uid: sub });
    await expect(chat(first)).rejects.toMatchObject({ code: 'functions/unauthenticated' });
    expect(await v1(second)).toBe(401);
  });

  it('when an API key is denied (the admin API revoked it), then the tokens exchanged for it are refused, and the owner’s others still work', async () => {
    const sub = `key-owner-${Date.now()}`;
    const keyId = `key-${Date.now()}`;
    const fromKey = await gw.token({ sub, key: keyId });
    expect(await v1(fromKey)).toBe(200);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await redis.set(denylistKey.apiKey(keyId), '1', 'PX', 60_000);
    } finally {
      redis.disconnect();
    }
    expect(await v1(fromKey)).toBe(401);
    await expect(chat(fromKey)).rejects.toMatchObject({ code: 'functions/unauthenticated' });
    expect(await v1(await gw.token({ sub }))).toBe(200);
  });

  it("when a member tries to revoke someone else's tokens, then permission is denied", async () => {
    const member = await gw.token();
    await expect(
      call('revokeUserTokens', { clientToken: member, uid: 'someone' }),
    ).rejects.toMatchObject({
      code: 'functions/permission-denied',
    });
  });
});
