// Functions outside the emulator without REDIS_URL (hosted as Cloud Run hosts them): refused,
// naming what to set, unless ALLOW_PER_INSTANCE_LIMITS=true; and with it, revocation says it
// cannot reach the other instances instead of claiming it did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { getFunctions, httpsCallableFromURL, type Functions } from 'firebase/functions';
import { startGatewayFixture, type GatewayFixture } from './dev/gateway-fixture.js';

let refusing: GatewayFixture;
let perInstance: GatewayFixture;
let app: FirebaseApp;
let functions: Functions;

beforeAll(async () => {
  [refusing, perInstance] = await Promise.all([
    startGatewayFixture({ REDIS_URL: '', ALLOW_PER_INSTANCE_LIMITS: '' }),
    startGatewayFixture({ REDIS_URL: '', ALLOW_PER_INSTANCE_LIMITS: 'true' }),
  ]);
  app = initializeApp(
    { apiKey: 'demo-api-key', projectId: 'demo-colonycraft' },
    `shared-store-${Date.now()}`,
  );
  functions = getFunctions(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await Promise.all([refusing?.stop(), perInstance?.stop()]);
});

const call = (gw: GatewayFixture, name: string, data: unknown) =>
  httpsCallableFromURL(functions, `${gw.url}${name}`)(data);
const ask = { model: 'local/echo', messages: [{ role: 'user', content: 'limited?' }] };
const namesBoth = expect.stringMatching(/REDIS_URL.*ALLOW_PER_INSTANCE_LIMITS=true/);

describe('without REDIS_URL outside the emulator', () => {
  it('when per-instance limits are not allowed, then chat, /v1, the history and revocation are refused naming REDIS_URL and ALLOW_PER_INSTANCE_LIMITS', async () => {
    const clientToken = await refusing.token();
    const refused = { code: 'functions/failed-precondition', message: namesBoth };
    await expect(call(refusing, 'chatBy-local', { clientToken, ...ask })).rejects.toMatchObject(
      refused,
    );
    await expect(call(refusing, 'listConversations', { clientToken })).rejects.toMatchObject(
      refused,
    );
    await expect(call(refusing, 'revokeClientToken', { clientToken })).rejects.toMatchObject(
      refused,
    );

    const res = await fetch(`${refusing.url}v1/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(ask),
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toEqual(namesBoth);
  });

  it('when per-instance limits are allowed, then calls are served, and revoking tokens is failed-precondition instead of revoked', async () => {
    const clientToken = await perInstance.token();
    await expect(call(perInstance, 'chatBy-local', { clientToken, ...ask })).resolves.toBeTruthy();

    const notShared = {
      code: 'functions/failed-precondition',
      message: expect.stringMatching(/^Tokens cannot be revoked here: REDIS_URL is not set/),
    };
    await expect(call(perInstance, 'revokeClientToken', { clientToken })).rejects.toMatchObject(
      notShared,
    );
    const admin = await perInstance.token({ role: 'admin' });
    await expect(
      call(perInstance, 'revokeUserTokens', { clientToken: admin, uid: 'someone' }),
    ).rejects.toMatchObject(notShared);
    // The token was not revoked, and says so by still working.
    await expect(call(perInstance, 'chatBy-local', { clientToken, ...ask })).resolves.toBeTruthy();
  });
});
