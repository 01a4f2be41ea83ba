// Provider keys over real HTTP: Postgres, the Auth and Firestore emulators, a local secret store
// in a temp dir (its dotenv file holding OpenAI's first key) and the provider stub. What is
// proven: who may call; that a key goes into the store and never comes out (not in answers,
// the audit log, Postgres or the server's log lines; at most its last four in GET /providers);
// rotation with and without grace, the sweeper, validation before any side effect, concurrent
// rotations, store failures, and the key check against the stub.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_PROVIDER_KEY_GRACE_SECONDS,
  type AuditEntry,
  type AuditPage,
  type ProviderId,
  type ProviderKeyList,
  type ProviderKeyRotation,
  type ProviderKeyStatus,
  type ProviderKeyTestResult,
} from '@colonycraft/protocol';
import {
  createLocalSecretStore,
  SecretStoreError,
  type SecretStore,
  type SecretVersion,
} from '@colonycraft/secrets';
import { freePort, startProviderStub, type ProviderStub } from '@colonycraft/testing';
import { startAdminFixture, type AdminFixture } from './dev/admin-fixture.js';
import { SWEEPER, sweepProviderKeys } from './domain/provider-key-sweep.js';
import { createLogger } from './logger.js';

/** A provider-looking key whose last four (`tag`) cannot occur in hex ids or timestamps. */
const makeKey = (tag: string) => `sk-test-${randomBytes(12).toString('hex')}-${tag}`;
const last4 = (key: string) => key.slice(-4);

const DOTENV_KEY = makeKey('QdOt');
/** Every key sent to the API, to look for afterwards. */
const keysUsed: string[] = [DOTENV_KEY];
const newKey = (tag: string) => {
  const key = makeKey(tag);
  keysUsed.push(key);
  return key;
};

type Mode = 'normal' | 'read-only' | 'down';

/**
 * The local store the server uses, switchable: `read-only` answers as a local store without
 * LOCAL_SECRETS_FILE does, `down` fails every call as an unreachable store would.
 */
function switchableStore(real: SecretStore, readOnly: SecretStore) {
  let mode: Mode = 'normal';
  const pick = (): SecretStore => {
    if (mode === 'down')
      throw new SecretStoreError('unavailable', 'the test store is switched off');
    return mode === 'read-only' ? readOnly : real;
  };
  const store: SecretStore = {
    kind: 'local',
    access: async (name) => pick().access(name),
    addVersion: async (name, value) => pick().addVersion(name, value),
    listVersions: async (name) => pick().listVersions(name),
    disableVersion: async (name, version) => pick().disableVersion(name, version),
    destroyVersion: async (name, version) => pick().destroyVersion(name, version),
    close: () => real.close(),
  };
  return { store, setMode: (next: Mode) => void (mode = next) };
}

let f: AdminFixture;
let stub: ProviderStub;
let dir: string;
let store: SecretStore;
let setMode: (mode: Mode) => void;
let closedPort: number;
const SECRET = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' } as const;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provider-keys-'));
  const dotenvPath = join(dir, '.secret.local');
  writeFileSync(dotenvPath, `OPENAI_API_KEY=${DOTENV_KEY}\n`);
  const real = createLocalSecretStore({
    dotenvPath,
    file: join(dir, 'sealed.json'),
    key: randomBytes(32).toString('base64'),
  });
  const switchable = switchableStore(real, createLocalSecretStore({ dotenvPath }));
  store = switchable.store;
  setMode = switchable.setMode;
  stub = await startProviderStub({ apiKey: 'not-set-yet' });
  closedPort = await freePort();
  f = await startAdminFixture({
    secretStore: store,
    providerCheckTimeoutMs: 1500,
    env: {
      OPENAI_BASE_URL: stub.openaiBaseURL,
      ANTHROPIC_BASE_URL: stub.anthropicBaseURL,
      COMPATIBLE_BASE_URL: `http://127.0.0.1:${closedPort}/v1`,
      PROVIDER_KEY_SWEEP_SECONDS: '1',
    },
  });
}, 180_000);

afterAll(async () => {
  await f?.stop();
  await store?.close();
  await stub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function providers(): Promise<ProviderKeyList> {
  const res = await f.call<ProviderKeyList>('boss', 'GET', '/providers');
  expect(res.status).toBe(200);
  return res.body;
}

async function provider(id: ProviderId): Promise<ProviderKeyStatus> {
  return (await providers()).providers.find((p) => p.id === id)!;
}

const states = (versions: readonly SecretVersion[]) =>
  Object.fromEntries(versions.map((v) => [v.version, v.state]));

async function rawAuditText(): Promise<string> {
  const { rows } = await f.sql.query('SELECT * FROM audit_log ORDER BY seq');
  return JSON.stringify(rows);
}

async function auditEntries(action: string, target?: string): Promise<AuditEntry[]> {
  const query = new URLSearchParams({ action, limit: '500', ...(target ? { target } : {}) });
  const res = await f.call<AuditPage>('audra', 'GET', `/audit?${query.toString()}`);
  expect(res.status).toBe(200);
  return res.body.entries.reverse();
}

/** Everything a failed call must leave as it was. */
async function snapshot() {
  const { rows } = await f.sql.query(
    'SELECT * FROM provider_key_versions ORDER BY provider, version',
  );
  const { rows: audit } = await f.sql.query<{ n: string }>('SELECT count(*) AS n FROM audit_log');
  return {
    rows,
    audit: audit[0]!.n,
    openai: await store.listVersions(SECRET.openai),
    anthropic: await store.listVersions(SECRET.anthropic),
    compatible: await store.listVersions('COMPATIBLE_API_KEY'),
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('who may call', () => {
  const calls = [
    ['GET', '/providers', undefined],
    ['PUT', '/providers/openai/key', { key: newKey('QkNv'), graceSeconds: 0 }],
    ['POST', '/providers/openai/test', undefined],
  ] as const;

  it('when no token is sent, then all three answer 401', async () => {
    for (const [method, path, body] of calls) {
      const res = await fetch(`${f.url}${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it('when a member or an auditor calls, then all three answer 403 and nothing is written', async () => {
    const before = await snapshot();
    for (const who of ['pat', 'audra'] as const) {
      for (const [method, path, body] of calls) {
        const res = await f.call(who, method, path, body);
        expect(res.status, `${who} ${method} ${path}`).toBe(403);
      }
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('before any key is set through the API', () => {
  it('when only the dotenv file has a key, then GET shows it as version 1, set elsewhere', async () => {
    const list = await providers();
    expect(list.store).toBe('local');
    expect(list.providers.map((p) => p.id)).toEqual(['openai', 'anthropic', 'compatible']);
    const openai = list.providers[0]!;
    expect(openai).toMatchObject({
      secretName: 'OPENAI_API_KEY',
      configured: true,
      keyLast4: last4(DOTENV_KEY),
      lastRotatedAt: null,
      lastRotatedBy: null,
      versions: [{ version: '1', state: 'enabled', createdBy: null, disableAt: null }],
    });
    expect(list.providers[1]).toMatchObject({
      id: 'anthropic',
      configured: false,
      keyLast4: null,
      versions: [],
    });
    expect(JSON.stringify(list)).not.toContain(DOTENV_KEY);
  });

  it('when a provider has no key, then its check says so without calling anyone', async () => {
    const requests = stub.requests.length;
    const res = await f.call<ProviderKeyTestResult>('boss', 'POST', '/providers/anthropic/test');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, status: null });
    expect(res.body.message).toMatch(/no key is set/i);
    expect(stub.requests.length).toBe(requests);
  });
});

describe('PUT /providers/:id/key', () => {
  let keyA: string;

  it('when an admin sets a key with a grace, then the store holds it, the old version stays enabled but scheduled, and it is audited without the key', async () => {
    keyA = newKey('QkAa');
    const started = Date.now();
    const res = await f.call<ProviderKeyRotation>('boss', 'PUT', '/providers/openai/key', {
      key: keyA,
      graceSeconds: 3600,
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(keyA);
    expect(res.body).toMatchObject({ version: '2', disablesVersions: ['1'] });
    expect(res.body.disableAt).toBeGreaterThanOrEqual(started + 3_600_000 - 1000);
    expect(res.body.disableAt).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);
    expect(res.body.provider).toMatchObject({ keyLast4: last4(keyA), lastRotatedBy: f.uid.boss });

    expect(await store.access(SECRET.openai)).toBe(keyA);
    expect(states(await store.listVersions(SECRET.openai))).toEqual({
      '2': 'enabled',
      '1': 'enabled',
    });

    const openai = await provider('openai');
    expect(openai).toMatchObject({
      configured: true,
      keyLast4: last4(keyA),
      lastRotatedBy: f.uid.boss,
      versions: [
        { version: '2', state: 'enabled', createdBy: f.uid.boss, disableAt: null },
        { version: '1', state: 'enabled', createdBy: null, disableAt: res.body.disableAt },
      ],
    });
    expect(openai.lastRotatedAt).toBe(openai.versions[0]!.createdAt);

    const [entry, ...more] = await auditEntries('provider_key.rotate', 'provider:openai');
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actor: f.uid.boss,
      target: 'provider:openai',
      before: { enabledVersions: ['1'] },
      after: {
        version: '2',
        graceSeconds: 3600,
        disablesVersions: ['1'],
        disableAt: res.body.disableAt,
      },
    });
    const audit = JSON.stringify(await auditEntries('provider_key.rotate'));
    const raw = await rawAuditText();
    for (const text of [audit, raw]) {
      expect(text).not.toContain(keyA);
      expect(text).not.toContain(last4(keyA));
      expect(text).not.toContain(DOTENV_KEY);
    }
    const { rows } = await f.sql.query('SELECT * FROM provider_key_versions');
    expect(JSON.stringify(rows)).not.toContain(last4(keyA));
  });

  it('when the grace given is 1 s, then once it passes the sweeper disables the old versions and audits it as the system', async () => {
    const keyB = newKey('QkBb');
    const res = await f.call<ProviderKeyRotation>('boss', 'PUT', '/providers/openai/key', {
      key: keyB,
      graceSeconds: 1,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: '3', disablesVersions: ['2', '1'] });
    // Version 1 was due in an hour; the new rotation brings that forward, never later.
    const scheduled = Object.fromEntries(
      res.body.provider.versions.map((v) => [v.version, v.disableAt]),
    );
    expect(scheduled).toEqual({ '3': null, '2': res.body.disableAt, '1': res.body.disableAt });

    // Nobody calls the API meanwhile: the timer (PROVIDER_KEY_SWEEP_SECONDS=1) does it.
    await waitFor(async () => {
      const s = states(await store.listVersions(SECRET.openai));
      return s['1'] === 'disabled' && s['2'] === 'disabled';
    }, 6000);
    expect(await store.access(SECRET.openai)).toBe(keyB);
    const disables = await auditEntries('provider_key.disable', 'provider:openai');
    expect(disables.map((e) => [e.actor, e.after])).toEqual([
      ['system:provider-key-sweeper', { version: '1', state: 'disabled' }],
      ['system:provider-key-sweeper', { version: '2', state: 'disabled' }],
    ]);
    expect(disables.every((e) => e.ip === null && e.requestId === null)).toBe(true);

    const openai = await provider('openai');
    expect(openai.versions.map((v) => [v.version, v.state, v.disableAt])).toEqual([
      ['3', 'enabled', null],
      ['2', 'disabled', null],
      ['1', 'disabled', null],
    ]);
    const { rows } = await f.sql.query<{ version: string; disabled_at: Date | null }>(
      `SELECT version, disabled_at FROM provider_key_versions WHERE provider = 'openai'
       ORDER BY version`,
    );
    expect(rows.map((r) => [r.version, r.disabled_at !== null])).toEqual([
      ['1', true],
      ['2', true],
      ['3', false],
    ]);
  });

  it('when the grace is 0, then the old version is disabled before the answer, audited as the caller', async () => {
    const keyD = newKey('QkDd');
    const first = await f.call<ProviderKeyRotation>('boss', 'PUT', '/providers/anthropic/key', {
      key: keyD,
      graceSeconds: 0,
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: '1', disablesVersions: [], disableAt: null });

    const keyE = newKey('QkEe');
    const second = await f.call<ProviderKeyRotation>('ada', 'PUT', '/providers/anthropic/key', {
      key: keyE,
      graceSeconds: 0,
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ version: '2', disablesVersions: ['1'] });
    expect(second.body.provider.versions.map((v) => [v.version, v.state])).toEqual([
      ['2', 'enabled'],
      ['1', 'disabled'],
    ]);
    expect(second.body.provider).toMatchObject({
      keyLast4: last4(keyE),
      lastRotatedBy: f.uid.ada,
    });
    expect(states(await store.listVersions(SECRET.anthropic))).toEqual({
      '2': 'enabled',
      '1': 'disabled',
    });
    expect(await store.access(SECRET.anthropic)).toBe(keyE);
    const disables = await auditEntries('provider_key.disable', 'provider:anthropic');
    expect(disables.map((e) => [e.actor, e.after])).toEqual([
      [f.uid.ada, { version: '1', state: 'disabled' }],
    ]);
  });

  it('when the body or the provider is invalid, then 400 names the field and nothing is written', async () => {
    const before = await snapshot();
    const cases: [string, unknown, RegExp][] = [
      ['/providers/openai/key', {}, /^Invalid body: key: /],
      ['/providers/openai/key', { graceSeconds: 0 }, /^Invalid body: key: /],
      [
        '/providers/openai/key',
        { key: `${newKey('QkSp')} QkSq` },
        /^Invalid body: key: must not contain spaces/,
      ],
      ['/providers/openai/key', { key: 'sk-shrt' }, /^Invalid body: key: /],
      [
        '/providers/openai/key',
        { key: newKey('QkGr'), graceSeconds: MAX_PROVIDER_KEY_GRACE_SECONDS + 1 },
        /^Invalid body: graceSeconds: /,
      ],
      ['/providers/openai/key', { key: newKey('QkFr'), graceSeconds: 1.5 }, /graceSeconds/],
      ['/providers/openai/key', { key: newKey('QkXt'), extra: true }, /^Invalid body: .*extra/],
      ['/providers/mistral/key', { key: newKey('QkMs') }, /^Invalid params: id: /],
    ];
    for (const [path, body, message] of cases) {
      const res = await f.call<{ error: { code: string; message: string } }>(
        'boss',
        'PUT',
        path,
        body,
      );
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.message).toMatch(message);
      const sent = (body as { key?: string }).key;
      if (sent) expect(res.text).not.toContain(sent);
    }
    const unknownTest = await f.call('boss', 'POST', '/providers/mistral/test');
    expect(unknownTest.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('when five rotations of one provider race with grace 0, then each gets its own version and exactly one stays enabled', async () => {
    const keys = Array.from({ length: 5 }, (_, i) => newKey(`QkC${i}`));
    const replies = await Promise.all(
      keys.map((key) =>
        f.call<ProviderKeyRotation>('boss', 'PUT', '/providers/compatible/key', {
          key,
          graceSeconds: 0,
        }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const versions = replies.map((r) => r.body.version);
    expect(new Set(versions).size).toBe(5);
    expect([...versions].sort()).toEqual(['1', '2', '3', '4', '5']);
    const listed = await store.listVersions('COMPATIBLE_API_KEY');
    expect(listed.filter((v) => v.state === 'enabled').map((v) => v.version)).toEqual(['5']);
    const winner = keys[versions.indexOf('5')]!;
    expect(await store.access('COMPATIBLE_API_KEY')).toBe(winner);
    // Each rotation saw the one before it: it replaced exactly its predecessor.
    const replaced = replies
      .map((r) => [r.body.version, r.body.disablesVersions] as const)
      .sort(([a], [b]) => Number(a) - Number(b));
    expect(replaced).toEqual([
      ['1', []],
      ['2', ['1']],
      ['3', ['2']],
      ['4', ['3']],
      ['5', ['4']],
    ]);
    expect(await auditEntries('provider_key.rotate', 'provider:compatible')).toHaveLength(5);
    const disables = await auditEntries('provider_key.disable', 'provider:compatible');
    expect(disables.map((e) => (e.after as { version: string }).version).sort()).toEqual([
      '1',
      '2',
      '3',
      '4',
    ]);
  });

  it('when the store is read-only (no LOCAL_SECRETS_FILE), then 409 names the variable and nothing is written', async () => {
    const before = await snapshot();
    const key = newKey('QkRo');
    setMode('read-only');
    try {
      const res = await f.call<{ error: { code: string; message: string } }>(
        'boss',
        'PUT',
        '/providers/openai/key',
        { key },
      );
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('conflict');
      expect(res.body.error.message).toMatch(/LOCAL_SECRETS_FILE/);
      expect(res.text).not.toContain(key);
      expect(res.text).not.toContain(last4(key));
    } finally {
      setMode('normal');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('when the store fails, then 503 names the store, and nothing is written', async () => {
    const before = await snapshot();
    const key = newKey('QkDn');
    setMode('down');
    try {
      const put = await f.call<{ error: { code: string; message: string } }>(
        'boss',
        'PUT',
        '/providers/openai/key',
        { key },
      );
      expect(put.status).toBe(503);
      expect(put.body.error.code).toBe('unavailable');
      expect(put.body.error.message).toMatch(/local secret store/i);
      expect(put.text).not.toContain(key);
      const get = await f.call<{ error: { code: string } }>('boss', 'GET', '/providers');
      expect(get.status).toBe(503);
      const test = await f.call('boss', 'POST', '/providers/openai/test');
      expect(test.status).toBe(503);
    } finally {
      setMode('normal');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('when the rotation fails after the store took the key, then that version is destroyed and the key in use stays', async () => {
    const inUse = await store.access(SECRET.openai);
    // The next version will be 4: a row for it already makes the INSERT fail.
    await f.sql.query(
      `INSERT INTO provider_key_versions (provider, version) VALUES ('openai', '4')`,
    );
    const rotations = (await auditEntries('provider_key.rotate')).length;
    const key = newKey('QkUn');
    try {
      const res = await f.call('boss', 'PUT', '/providers/openai/key', { key, graceSeconds: 0 });
      expect(res.status).toBe(500);
      expect(res.text).not.toContain(key);
    } finally {
      await f.sql.query(
        `DELETE FROM provider_key_versions WHERE provider = 'openai' AND version = '4'`,
      );
    }
    expect(await store.access(SECRET.openai)).toBe(inUse);
    expect(states(await store.listVersions(SECRET.openai))).toEqual({
      '4': 'destroyed',
      '3': 'enabled',
      '2': 'disabled',
      '1': 'disabled',
    });
    expect(await auditEntries('provider_key.rotate')).toHaveLength(rotations);
  });
});

describe('the sweeper', () => {
  it('when several sweepers run at once, then each due version is disabled and audited exactly once', async () => {
    const keys = [newKey('QkS1'), newKey('QkS2')];
    for (const key of keys) {
      const res = await f.call('boss', 'PUT', '/providers/anthropic/key', {
        key,
        graceSeconds: 3600,
      });
      expect(res.status).toBe(200);
    }
    // Versions 2 and 3 are scheduled an hour from now; make that the past.
    await f.sql.query(
      `UPDATE provider_key_versions SET disable_at = now() - interval '1 second'
       WHERE provider = 'anthropic' AND disabled_at IS NULL AND disable_at IS NOT NULL`,
    );
    const deps = { pool: f.sql, secrets: store, logger: createLogger('silent') };
    await Promise.all([1, 2, 3].map(() => sweepProviderKeys(deps, SWEEPER, 'anthropic')));
    expect(states(await store.listVersions(SECRET.anthropic))).toEqual({
      '4': 'enabled',
      '3': 'disabled',
      '2': 'disabled',
      '1': 'disabled',
    });
    const disables = await auditEntries('provider_key.disable', 'provider:anthropic');
    const versions = disables.map((e) => (e.after as { version: string }).version);
    expect(versions.sort()).toEqual(['1', '2', '3']);
  });
});

describe('POST /providers/:id/test', () => {
  it('when the stub accepts the stored key, then ok; after it changes, refused; and the key goes out only to the provider', async () => {
    const key = (await store.access(SECRET.openai))!;
    stub.setApiKey(key);
    stub.reset();
    const ok = await f.call<ProviderKeyTestResult>('boss', 'POST', '/providers/openai/test');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, status: 200 });
    expect(ok.body.message).toMatch(/works/);
    expect(ok.body.latencyMs).toBeGreaterThanOrEqual(0);
    expect(stub.requests.map((r) => [r.method, r.path])).toEqual([['GET', '/v1/models']]);
    expect(stub.requests[0]!.headers.authorization).toBe(`Bearer ${key}`);

    stub.setApiKey('other');
    const refused = await f.call<ProviderKeyTestResult>('boss', 'POST', '/providers/openai/test');
    expect(refused.body).toMatchObject({ ok: false, status: 401 });
    expect(refused.body.message).toMatch(/refused the key/);
    for (const res of [ok, refused]) {
      expect(res.text).not.toContain(key);
      expect(res.text).not.toContain(last4(key));
      // The stub's own words (which quote a masked key) never come back.
      expect(res.text).not.toMatch(/Incorrect API key/);
    }
  });

  it('when the provider speaks the Anthropic wire, then the key goes as x-api-key with the version header', async () => {
    const key = (await store.access(SECRET.anthropic))!;
    stub.setApiKey(key);
    stub.reset();
    const res = await f.call<ProviderKeyTestResult>('boss', 'POST', '/providers/anthropic/test');
    expect(res.body).toMatchObject({ ok: true, status: 200 });
    const [request] = stub.requests;
    expect(request).toMatchObject({ method: 'GET', path: '/v1/models', provider: 'anthropic' });
    expect(request!.headers['x-api-key']).toBe(key);
    expect(request!.headers['anthropic-version']).toBe('2023-06-01');
    expect(request!.headers.authorization).toBeUndefined();
    expect(res.text).not.toContain(key);
  });

  it('when the provider rate-limits, fails, or is slow, then each gets its own words', async () => {
    stub.setApiKey((await store.access(SECRET.openai))!);
    const check = async () =>
      (await f.call<ProviderKeyTestResult>('boss', 'POST', '/providers/openai/test')).body;

    stub.script({ kind: 'status', status: 429 });
    const limited = await check();
    expect(limited).toMatchObject({ ok: true, status: 429 });
    expect(limited.message).toMatch(/rate-limited.*key itself was accepted/);

    stub.script({ kind: 'status', status: 503, message: 'upstream says: sk-...QkBb' });
    const failing = await check();
    expect(failing).toMatchObject({ ok: false, status: 503 });
    expect(failing.message).toMatch(/had an error/);
    expect(failing.message).not.toMatch(/upstream says/);

    stub.script({ kind: 'latency', ms: 4000 });
    const slow = await check();
    expect(slow).toMatchObject({ ok: false, status: null });
    expect(slow.message).toMatch(/did not answer within 1\.5 s/);
  });

  it('when the base URL cannot be reached, then ok is false with no status, naming the host', async () => {
    const res = await f.call<ProviderKeyTestResult>('boss', 'POST', '/providers/compatible/test');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, status: null });
    expect(res.body.message).toContain(`Could not reach 127.0.0.1:${closedPort}`);
    expect(res.text).not.toContain((await store.access('COMPATIBLE_API_KEY'))!);
  });
});

describe('secrets stay out of the logs', () => {
  it('when all of the above is done, then no key (nor its last four) is in any log line', () => {
    const logs = f.logs();
    expect(logs.length).toBeGreaterThan(0);
    for (const key of keysUsed) {
      expect(logs).not.toContain(key);
      expect(logs).not.toContain(last4(key));
    }
  });
});
