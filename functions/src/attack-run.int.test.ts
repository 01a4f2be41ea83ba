// The attack run of issue 17, kept: each request an attacker with a member account tried against
// the gateway (hosted as on Cloud Run) and the admin API, and the refusal it must get. One stack
// for the file: the Firestore and Auth emulators, Postgres, the admin API and the gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { getFunctions, httpsCallableFromURL, type Functions } from 'firebase/functions';
import { SignJWT, base64url, exportSPKI, importJWK, type JWK } from 'jose';
import {
  CLIENT_TOKEN_AUDIENCE,
  CLIENT_TOKEN_ISSUER,
  type ClientTokenClaims,
} from '@colonycraft/protocol';
import {
  DEMO_PROJECT_ID,
  DEMO_USERS,
  createTestDatabase,
  defaultOrFreePorts,
  freePort,
  generateTokenKeys,
  repoPath,
  signInWithPassword,
  startAdminApi,
  startFirebaseEmulators,
  startFirestoreEmulator,
  type TokenKeys,
} from '@colonycraft/testing';
import { issueClientToken } from './auth/client-token.js';
import { loadSigningKey, type SigningKey } from './auth/signing-keys.js';
import { createConversation } from './conversations/conversation-store.js';
import { startGatewayFixture, type GatewayFixture } from './dev/gateway-fixture.js';

const stops: (() => Promise<unknown>)[] = [];
let adminApi: string;
let authUrl: string;
let gw: GatewayFixture;
let keys: TokenKeys;
let signing: SigningKey;
let client: FirebaseApp;
let functions: Functions;

beforeAll(async () => {
  // Keys of the test's own, so that it can sign what the issuer never would.
  keys = await generateTokenKeys('attack');
  signing = await loadSigningKey(JSON.stringify(keys.signing));
  const firestore = await startFirestoreEmulator();
  stops.push(firestore.stop);
  const ports = await defaultOrFreePorts('free');
  const [emulators, database, port] = await Promise.all([
    startFirebaseEmulators({
      only: ['auth'],
      ports,
      runDir: repoPath('.run', `attack-run-${process.pid}-${randomUUID().slice(0, 8)}`),
      env: {},
    }),
    createTestDatabase(),
    freePort(),
  ]);
  stops.push(emulators.stop, database.drop);
  authUrl = emulators.urls.auth!;
  const [admin, fixture] = await Promise.all([
    startAdminApi({
      env: {
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: database.url,
        GCLOUD_PROJECT: DEMO_PROJECT_ID,
        FIRESTORE_EMULATOR_HOST: firestore.host,
        FIREBASE_AUTH_EMULATOR_HOST: `127.0.0.1:${ports.auth}`,
        METADATA_SERVER_DETECTION: 'none',
        SEED_USERS: JSON.stringify(DEMO_USERS),
      },
      onLine: () => undefined,
    }),
    startGatewayFixture(
      {
        TOKEN_VERIFY_KEYS: JSON.stringify(keys.verify),
        TOKEN_SIGNING_KEYS: JSON.stringify(keys.signing),
        GATEWAY_MAX_BODY_BYTES: '200000',
      },
      { firestoreHost: firestore.host },
    ),
  ]);
  stops.push(admin.stop, fixture.stop);
  adminApi = `http://127.0.0.1:${port}`;
  gw = fixture;
  client = initializeApp({ apiKey: 'demo-api-key', projectId: DEMO_PROJECT_ID }, randomUUID());
  functions = getFunctions(client);
}, 120_000);

afterAll(async () => {
  if (client) await deleteApp(client);
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
});

async function asDemo(
  role: 'admin' | 'member',
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const user = DEMO_USERS.find((u) => u.role === role)!;
  const { idToken } = await signInWithPassword(authUrl, user.email, user.password);
  const res = await fetch(`${adminApi}${path}`, {
    method,
    headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

const claimsFor = (sub = `attacker-${randomUUID()}`): ClientTokenClaims => ({
  sub,
  role: 'member',
  models: ['*'],
  tier: 'standard',
  jti: randomUUID(),
});

const token = async (sub?: string): Promise<string> =>
  (await issueClientToken(claimsFor(sub), signing)).token;

/** Signs `claims` as the issuer would, with the header and times the case chooses. */
async function forge(options: {
  iss?: string;
  aud?: string;
  kid?: string;
  iatOffset?: number;
  ttl?: number;
}): Promise<string> {
  const { sub, jti, ...rest } = claimsFor();
  const now = Math.floor(Date.now() / 1000) + (options.iatOffset ?? 0);
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'Ed25519', kid: options.kid ?? signing.kid, typ: 'JWT' })
    .setSubject(sub)
    .setJti(jti)
    .setIssuer(options.iss ?? CLIENT_TOKEN_ISSUER)
    .setAudience(options.aud ?? CLIENT_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (options.ttl ?? 600))
    .sign(signing.key);
}

const segment = (value: unknown): string => base64url.encode(JSON.stringify(value));

async function hs256WithPublicKey(): Promise<string> {
  const { sub, jti, ...rest } = claimsFor();
  const now = Math.floor(Date.now() / 1000);
  const publicKey = await importJWK(keys.verify.keys[0] as JWK, 'Ed25519', { extractable: true });
  const pem = await exportSPKI(publicKey as CryptoKey);
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256', kid: signing.kid, typ: 'JWT' })
    .setSubject(sub)
    .setJti(jti)
    .setIssuer(CLIENT_TOKEN_ISSUER)
    .setAudience(CLIENT_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(pem));
}

async function algNone(): Promise<string> {
  const { sub, jti, ...rest } = claimsFor();
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    ...rest,
    sub,
    jti,
    iss: CLIENT_TOKEN_ISSUER,
    aud: CLIENT_TOKEN_AUDIENCE,
    iat: now,
    nbf: now,
    exp: now + 600,
  };
  return `${segment({ alg: 'none', typ: 'JWT' })}.${segment(payload)}.`;
}

/** A real token whose claims were changed afterwards: a member made admin. */
async function tampered(): Promise<string> {
  const [header, payload, signature] = (await token()).split('.');
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!))) as object;
  return `${header}.${segment({ ...claims, role: 'admin' })}.${signature}`;
}

const call = (name: string, data: unknown) =>
  httpsCallableFromURL(functions, `${gw.url}${name}`)(data);

async function post(path: string, body: string, bearer?: string) {
  const res = await fetch(`${gw.url}v1/v1${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${bearer ?? (await token())}`,
    },
    body,
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    error: (JSON.parse(text) as { error?: Record<string, unknown> }).error,
  };
}

describe('client tokens', () => {
  const notValid = 'Client token is not valid.';
  const cases: [string, () => Promise<string>, string][] = [
    ['alg none', algNone, notValid],
    ['HS256 signed with the public key', hs256WithPublicKey, notValid],
    ['expired', () => forge({ iatOffset: -3600 }), 'Client token has expired; exchange a new one.'],
    [
      'issued in the future',
      () => forge({ iatOffset: 3600 }),
      'Client token was refused: claim "nbf" failed its check.',
    ],
    [
      'of another issuer',
      () => forge({ iss: 'https://evil.example' }),
      'Client token was refused: claim "iss" failed its check.',
    ],
    [
      'for another audience',
      () => forge({ aud: 'someone-else' }),
      'Client token was refused: claim "aud" failed its check.',
    ],
    [
      'naming an unknown kid',
      () => forge({ kid: 'stranger' }),
      'Client token was signed by an unknown key.',
    ],
    ['with tampered claims (a member made admin)', tampered, notValid],
  ];

  it.each(cases)(
    'when the token is %s, then /v1 answers 401 and the callables unauthenticated',
    async (_name, make, message) => {
      const bad = await make();
      const v1 = await fetch(`${gw.url}v1/v1/models`, {
        headers: { authorization: `Bearer ${bad}` },
      });
      expect(v1.status).toBe(401);
      expect(await v1.json()).toMatchObject({ error: { message } });
      await expect(call('listConversations', { clientToken: bad })).rejects.toMatchObject({
        code: 'functions/unauthenticated',
        message: expect.stringContaining(message),
      });
    },
  );
});

describe('conversations', () => {
  it("when a member names another user's conversation, then get, rename and delete are not-found", async () => {
    const owner = `owner-${randomUUID()}`;
    const { id } = await createConversation(gw.db, owner, {
      title: 'private',
      model: 'local/echo',
    });
    const clientToken = await token();
    const notFound = { code: 'functions/not-found' };
    await expect(
      call('getConversation', { clientToken, conversationId: id }),
    ).rejects.toMatchObject(notFound);
    await expect(
      call('renameConversation', { clientToken, conversationId: id, title: 'mine now' }),
    ).rejects.toMatchObject(notFound);
    await expect(
      call('deleteConversation', { clientToken, conversationId: id }),
    ).rejects.toMatchObject(notFound);
    expect((await gw.db.doc(`users/${owner}/conversations/${id}`).get()).get('title')).toBe(
      'private',
    );
  });

  it.each([
    ['not base64', '!!!not-a-cursor!!!'],
    ['another shape', base64url.encode("' OR 1=1 --")],
    ['a forged path', base64url.encode('../../users/someone/conversations')],
  ])('when the cursor is %s, then listConversations is invalid-argument', async (_name, cursor) => {
    await expect(
      call('listConversations', { clientToken: await token(), cursor }),
    ).rejects.toMatchObject({
      code: 'functions/invalid-argument',
      message: expect.stringMatching(/^cursor: is not a cursor this list returned/),
    });
  });

  it('when a title holds a NUL byte, then renaming is invalid-argument and nothing changes', async () => {
    const owner = `owner-${randomUUID()}`;
    const { id } = await createConversation(gw.db, owner, { title: 'kept', model: 'local/echo' });
    await expect(
      call('renameConversation', {
        clientToken: await token(owner),
        conversationId: id,
        title: 'a\u0000b',
      }),
    ).rejects.toMatchObject({
      code: 'functions/invalid-argument',
      message: expect.stringMatching(/U\+0000/),
    });
    expect((await gw.db.doc(`users/${owner}/conversations/${id}`).get()).get('title')).toBe('kept');
  });
});

describe('POST /v1/chat/completions', () => {
  it('when the JSON is nested 50,000 deep, then 400 and the host keeps serving', async () => {
    const deep = `{"model":"local/echo","messages":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    const res = await post('/chat/completions', deep);
    expect(res.status).toBe(400);
    expect(res.error).toMatchObject({
      code: 'invalid_argument',
      message: 'messages.0: Invalid input: expected object, received array',
    });
    expect(
      (
        await fetch(`${gw.url}v1/v1/models`, {
          headers: { authorization: `Bearer ${await token()}` },
        })
      ).status,
    ).toBe(200);
  });

  it('when a message holds a NUL byte, then it is text like any other and the answer stays valid JSON', async () => {
    const res = await post(
      '/chat/completions',
      JSON.stringify({ model: 'local/echo', messages: [{ role: 'user', content: 'a\u0000b' }] }),
    );
    expect(res.status).toBe(200);
    // Still valid JSON: the NUL travels escaped, as the text the caller sent.
    expect(res.text).toContain('You said: a\\u0000b');
  });

  it(
    'when a message is one run of 80,000 characters to an unknown model, then the model is refused within the test’s 3 s',
    { timeout: 3_000 },
    async () => {
      const res = await post(
        '/chat/completions',
        JSON.stringify({
          model: 'local/nope',
          messages: [{ role: 'user', content: 'a'.repeat(80_000) }],
        }),
      );
      expect(res.status).toBe(400);
      expect(res.error).toMatchObject({
        code: 'invalid_argument',
        param: 'model',
        message: 'model: "local/nope" is not a model here; listModels names the ones there are',
      });
    },
  );

  it('when the body is over GATEWAY_MAX_BODY_BYTES, then 413', async () => {
    const res = await post(
      '/chat/completions',
      JSON.stringify({
        model: 'local/echo',
        messages: [{ role: 'user', content: 'a'.repeat(200_001) }],
      }),
    );
    expect(res.status).toBe(413);
  });
});

describe('admin API', () => {
  it("when a member reads, revokes or rotates another user's key, then 404 and the key is untouched", async () => {
    const made = await asDemo('admin', 'POST', '/api-keys', {
      name: 'admins',
      scopes: ['local/echo'],
    });
    expect(made.status).toBe(201);
    const id = (made.body as { summary: { id: string } }).summary.id;
    for (const [method, path, body] of [
      ['GET', `/api-keys/${id}`, undefined],
      ['DELETE', `/api-keys/${id}`, undefined],
      ['POST', `/api-keys/${id}/rotate`, { graceSeconds: 0 }],
    ] as const) {
      expect(await asDemo('member', method, path, body)).toMatchObject({
        status: 404,
        body: { error: { code: 'not_found', message: `No API key ${id}.` } },
      });
    }
    expect(await asDemo('admin', 'GET', `/api-keys/${id}`)).toMatchObject({
      status: 200,
      body: { id, revokedAt: null },
    });
  });

  it.each([
    ["' OR '1'='1", 'Invalid params: id: Invalid UUID'],
    ['1; DROP TABLE api_keys; --', 'Invalid params: id: Invalid UUID'],
  ])('when a key id in the path is %s, then 400 before any SQL', async (id, message) => {
    expect(await asDemo('admin', 'GET', `/api-keys/${encodeURIComponent(id)}`)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message } },
    });
  });

  it.each(['/api-keys', '/audit'])(
    'when the cursor to %s is an injection, then 400 before any SQL',
    async (path) => {
      const cursor = encodeURIComponent("1' OR '1'='1");
      expect(await asDemo('admin', 'GET', `${path}?cursor=${cursor}`)).toMatchObject({
        status: 400,
        body: {
          error: { code: 'invalid_request', message: 'Invalid query: cursor: not a cursor' },
        },
      });
    },
  );

  it('when an owner or uid in the query is an injection, then it is matched as a literal and finds nothing', async () => {
    const owner = encodeURIComponent("x' OR '1'='1");
    expect(await asDemo('admin', 'GET', `/api-keys?owner=${owner}`)).toMatchObject({
      status: 200,
      body: { keys: [], nextCursor: null },
    });
    const uid = "x' UNION SELECT * FROM api_keys --";
    expect(await asDemo('admin', 'GET', `/usage?uid=${encodeURIComponent(uid)}`)).toMatchObject({
      status: 200,
      body: { uid, totals: { calls: 0 }, models: [] },
    });
  });

  it('when a key name holds a NUL byte, then 400 names the field and the code point', async () => {
    expect(
      await asDemo('member', 'POST', '/api-keys', { name: 'a\u0000b', scopes: ['local/echo'] }),
    ).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'invalid_request',
          message: 'Invalid body: name: U+0000 (a control character) is not allowed',
        },
      },
    });
  });
});
