// The admin API over real HTTP, on a fresh database of the real Postgres server, with real ID
// tokens from the Auth emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApps, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import pg from 'pg';
import {
  DEMO_PROJECT_ID,
  createTestDatabase,
  defaultOrFreePorts,
  repoPath,
  signInWithPassword,
  signUp,
  startFirebaseEmulators,
  type FirebaseEmulators,
  type TestDatabase,
} from '@colonycraft/testing';
import { loadConfig } from './config.js';
import { createLogger, start, type RunningServer } from './server.js';

let emulators: FirebaseEmulators;
let database: TestDatabase;
let server: RunningServer;
const seeded = [
  { email: 'boss@example.test', password: 'boss-password', displayName: 'Boss', role: 'admin' },
  { email: 'pat@example.test', password: 'pat-password', displayName: 'Pat', role: 'member' },
];

beforeAll(async () => {
  const ports = await defaultOrFreePorts('free');
  emulators = await startFirebaseEmulators({
    only: ['auth'],
    ports,
    runDir: repoPath('.run', `admin-api-test-${process.pid}`),
    env: {},
  });
  process.env.FIREBASE_AUTH_EMULATOR_HOST = `127.0.0.1:${ports.auth}`;
  database = await createTestDatabase();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    GCLOUD_PROJECT: DEMO_PROJECT_ID,
    FIREBASE_AUTH_EMULATOR_HOST: process.env.FIREBASE_AUTH_EMULATOR_HOST,
    CORS_ORIGINS: 'http://app.example.test',
    BODY_LIMIT: '1kb',
    SEED_USERS: JSON.stringify(seeded),
  });
  server = await start(config, createLogger('silent'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  await emulators?.stop();
});

async function idToken(email: string, password: string): Promise<string> {
  return (await signInWithPassword(emulators.urls.auth!, email, password)).idToken;
}

describe('probes', () => {
  it('when alive, then /healthz answers ok without a token', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('when Postgres is reachable, then /readyz answers ready', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(await res.json()).toEqual({ status: 'ready' });
  });
});

describe('authentication and roles', () => {
  it('when no token is sent, then the call gets 401 in the shared error shape with a request id', async () => {
    const res = await fetch(`${server.url}/me`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as {
      error: { code: string; message: string; requestId: string };
    };
    expect(body.error.code).toBe('unauthenticated');
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('when the token is forged, then the call gets 401', async () => {
    const res = await fetch(`${server.url}/me`, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(res.status).toBe(401);
  });

  it('when a seeded admin calls, then the role comes from Postgres and is mirrored into the claim', async () => {
    const res = await fetch(`${server.url}/me`, {
      headers: { authorization: `Bearer ${await idToken('boss@example.test', 'boss-password')}` },
    });
    expect(res.status).toBe(200);
    const me = (await res.json()) as { uid: string; role: string; email: string };
    expect(me).toMatchObject({ email: 'boss@example.test', role: 'admin' });
    const app =
      getApps().find((a) => a.name === 'test') ??
      initializeApp({ projectId: DEMO_PROJECT_ID }, 'test');
    expect((await getAuth(app).getUser(me.uid)).customClaims).toEqual({ role: 'admin' });
  });

  it('when Postgres says otherwise than the claim, then Postgres wins', async () => {
    const { uid, idToken: token } = await signInWithPassword(
      emulators.urls.auth!,
      'pat@example.test',
      'pat-password',
    );
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await db.query(`UPDATE user_roles SET role = 'auditor' WHERE uid = $1`, [uid]);
    await db.end();
    const res = await fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await res.json()) as { role: string }).role).toBe('auditor');
  });

  it('when a user has no role row, then they are a member', async () => {
    const { idToken: token } = await signUp(
      emulators.urls.auth!,
      'new@example.test',
      'new-password',
    );
    const res = await fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await res.json()) as { role: string }).role).toBe('member');
  });
});

describe('service hygiene', () => {
  it('when a route does not exist, then the answer is 404 naming it', async () => {
    const res = await fetch(`${server.url}/nope`, {
      headers: { authorization: `Bearer ${await idToken('boss@example.test', 'boss-password')}` },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'No route for GET /nope.',
    );
  });

  it('when the body is over the limit, then the answer is 413 before anything else runs', async () => {
    const res = await fetch(`${server.url}/me`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://app.example.test' },
      body: JSON.stringify({ padding: 'x'.repeat(4096) }),
    });
    expect(res.status).toBe(413);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error).toMatchObject({
      code: 'too_large',
      message: 'The body is larger than the limit of 1024 bytes.',
    });
  });

  it('when the body is malformed JSON within the limit, then the answer is still 400', async () => {
    const res = await fetch(`${server.url}/me`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"padding": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('when the origin is allowed, then CORS headers are sent; for any other origin, none', async () => {
    const allowed = await fetch(`${server.url}/healthz`, {
      headers: { origin: 'http://app.example.test' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://app.example.test');
    const other = await fetch(`${server.url}/healthz`, {
      headers: { origin: 'http://evil.example.test' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sets the security headers helmet is there for', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('when a caller sends its own request id, then it comes back', async () => {
    const res = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
  });
});
