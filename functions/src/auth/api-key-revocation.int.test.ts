// Ending an API key everywhere at once, end to end: the real admin API (Postgres, the Auth
// emulator, the token denylist in the real Redis) revokes or rotates a key that the functions,
// hosted as Cloud Run hosts them with the same Redis and Firestore, have just accepted and
// still hold in their 30-second cache of key records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { getFunctions, httpsCallableFromURL, type Functions } from 'firebase/functions';
import { CreatedApiKey, ExchangeTokenResponse } from '@colonycraft/protocol';
import {
  DEMO_PROJECT_ID,
  DEMO_USERS,
  TEST_REDIS_URL,
  createTestDatabase,
  defaultOrFreePorts,
  freePort,
  repoPath,
  signInWithPassword,
  startAdminApi,
  startFirebaseEmulators,
  startFirestoreEmulator,
} from '@colonycraft/testing';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';

const REDIS_URL = TEST_REDIS_URL;
const stops: (() => Promise<unknown>)[] = [];
let adminApi: string;
let authUrl: string;
let gw: GatewayFixture;
let app: FirebaseApp;
let functions: Functions;

beforeAll(async () => {
  const firestore = await startFirestoreEmulator();
  stops.push(firestore.stop);
  const ports = await defaultOrFreePorts('free');
  const emulators = await startFirebaseEmulators({
    only: ['auth'],
    ports,
    runDir: repoPath('.run', `key-revocation-${process.pid}-${randomUUID().slice(0, 8)}`),
    env: {},
  });
  stops.push(emulators.stop);
  authUrl = emulators.urls.auth!;
  const database = await createTestDatabase();
  stops.push(database.drop);
  const port = await freePort();
  const admin = await startAdminApi({
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL,
      GCLOUD_PROJECT: DEMO_PROJECT_ID,
      FIRESTORE_EMULATOR_HOST: firestore.host,
      FIREBASE_AUTH_EMULATOR_HOST: `127.0.0.1:${ports.auth}`,
      METADATA_SERVER_DETECTION: 'none',
      SEED_USERS: JSON.stringify(DEMO_USERS),
    },
    onLine: () => undefined,
  });
  stops.push(admin.stop);
  adminApi = `http://127.0.0.1:${port}`;
  gw = await startGatewayFixture(
    { REDIS_URL, API_KEY_CACHE_SECONDS: '30' },
    { firestoreHost: firestore.host },
  );
  stops.push(gw.stop);
  app = initializeApp(
    { apiKey: 'demo-api-key', projectId: DEMO_PROJECT_ID },
    `key-revocation-${randomUUID()}`,
  );
  functions = getFunctions(app);
}, 180_000);

afterAll(async () => {
  if (app) await deleteApp(app);
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
});

const member = DEMO_USERS.find((u) => u.role === 'member')!;

async function asMember(method: string, path: string, body?: unknown): Promise<Response> {
  const { idToken } = await signInWithPassword(authUrl, member.email, member.password);
  return fetch(`${adminApi}${path}`, {
    method,
    headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function createKey(): Promise<CreatedApiKey> {
  const res = await asMember('POST', '/api-keys', { name: 'program', scopes: ['local/echo'] });
  expect(res.status).toBe(201);
  return CreatedApiKey.parse(await res.json());
}

const exchange = (key: string) =>
  fetch(`${gw.url}exchangeApiKey`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
const v1Models = (bearer: string) =>
  fetch(`${gw.url}v1/v1/models`, { headers: { authorization: `Bearer ${bearer}` } }).then(
    (r) => r.status,
  );
const chat = (clientToken: string) =>
  httpsCallableFromURL(
    functions,
    `${gw.url}chatBy-local`,
  )({ clientToken, model: 'local/echo', messages: [{ role: 'user', content: 'still on?' }] });

/** A key in use: exchanged for a token, and its record cached by the exchange and by /v1. */
async function keyInUse(): Promise<{ key: string; id: string; token: string }> {
  const { key, summary } = await createKey();
  const res = await exchange(key);
  expect(res.status).toBe(200);
  const { token } = ExchangeTokenResponse.parse(await res.json());
  expect(await v1Models(key)).toBe(200);
  expect(await v1Models(token)).toBe(200);
  await chat(token);
  return { key, id: summary.id, token };
}

/** Within a second of the admin API's answer, the key and every token from it are refused. */
async function expectEndedWithinASecond(key: string, token: string, answeredAt: number) {
  expect((await exchange(key)).status).toBe(401);
  expect(await v1Models(key)).toBe(401);
  expect(await v1Models(token)).toBe(401);
  await expect(chat(token)).rejects.toMatchObject({ code: 'functions/unauthenticated' });
  expect(Date.now() - answeredAt).toBeLessThan(1_000);
}

describe('ending an API key', () => {
  it('when a key in use is revoked, then within a second the exchange and /v1 refuse it, and every token exchanged for it is refused', async () => {
    const { key, id, token } = await keyInUse();
    expect((await asMember('DELETE', `/api-keys/${id}`)).status).toBe(200);
    await expectEndedWithinASecond(key, token, Date.now());
  });

  it('when a key in use is rotated without grace, then within a second the old key and its tokens are refused, and the new key works', async () => {
    const { key, id, token } = await keyInUse();
    const res = await asMember('POST', `/api-keys/${id}/rotate`, { graceSeconds: 0 });
    expect(res.status).toBe(201);
    const answeredAt = Date.now();
    const replacement = CreatedApiKey.parse(await res.json());
    await expectEndedWithinASecond(key, token, answeredAt);
    expect((await exchange(replacement.key)).status).toBe(200);
  });

  it('when a key in use is rotated with grace, then the old key and its tokens keep working meanwhile', async () => {
    const { key, id, token } = await keyInUse();
    expect((await asMember('POST', `/api-keys/${id}/rotate`, { graceSeconds: 600 })).status).toBe(
      201,
    );
    expect((await exchange(key)).status).toBe(200);
    expect(await v1Models(token)).toBe(200);
  });
});
