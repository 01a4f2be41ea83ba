// The Google Secret Manager store through the real @google-cloud/secret-manager client (its
// serialization, paging, retries and errors), against the in-memory gRPC server in
// dev/secret-manager-server.ts.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { status } from '@grpc/grpc-js';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSecretManagerServer, type SecretManagerServer } from './dev/secret-manager-server.js';
import { createGoogleSecretStore } from './google-secret-store.js';
import { SecretStoreError, type SecretStore } from './secret-store.js';

const PROJECT = 'demo-secrets';
let server: SecretManagerServer;
let store: SecretStore;

beforeEach(async () => {
  // Two versions per page, so that listing more than two takes the client through pages.
  server = await startSecretManagerServer({ maxPageSize: 2 });
  store = createGoogleSecretStore({ projectId: PROJECT, clientOptions: server.clientOptions });
});
afterEach(async () => {
  await store.close();
  await server.stop();
});

async function failure(promise: Promise<unknown>): Promise<SecretStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecretStoreError);
  return error as SecretStoreError;
}

/** Calls the server with a client of its own, for what the store does not show. */
async function withClient<T>(use: (client: SecretManagerServiceClient) => Promise<T>): Promise<T> {
  const client = new SecretManagerServiceClient(server.clientOptions);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

describe('the Google Secret Manager store', () => {
  it('creates the secret on the first add and adds versions to it afterwards', async () => {
    const before = Date.now();
    const first = await store.addVersion('OPENAI_API_KEY', 'test-key-1111');
    expect(first).toEqual({ version: '1', state: 'enabled', createdAt: expect.any(Date) });
    expect(first.createdAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(first.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(server.requests).toEqual(['AddSecretVersion', 'CreateSecret', 'AddSecretVersion']);

    const second = await store.addVersion('OPENAI_API_KEY', 'test-key-2222');
    expect(second).toMatchObject({ version: '2', state: 'enabled' });
    expect(server.requests.slice(3)).toEqual(['AddSecretVersion']);
    expect(await store.access('OPENAI_API_KEY')).toBe('test-key-2222');

    const [secret] = await withClient((client) =>
      client.getSecret({ name: `projects/${PROJECT}/secrets/OPENAI_API_KEY` }),
    );
    expect(secret.replication?.automatic).toBeDefined();
  });

  it('adds when another process created the secret between its calls', async () => {
    await store.addVersion('RACE', 'test-first');
    // The add answers NOT_FOUND as if the secret did not exist yet; CreateSecret then finds it.
    server.failNext('AddSecretVersion', status.NOT_FOUND);
    server.requests.length = 0;
    expect(await store.addVersion('RACE', 'test-second')).toMatchObject({ version: '2' });
    expect(server.requests).toEqual(['AddSecretVersion', 'CreateSecret', 'AddSecretVersion']);
    expect(await store.access('RACE')).toBe('test-second');
  });

  it('reads values as UTF-8 and sends their CRC32C, which the server checks', async () => {
    const value = 'тестовый-ключ-🔑';
    await store.addVersion('UNICODE', value);
    expect(await store.access('UNICODE')).toBe(value);

    await store.addVersion('CHECK', '123456789');
    const [version, access] = await withClient(async (client) => {
      const name = `projects/${PROJECT}/secrets/CHECK/versions/1`;
      return [
        (await client.getSecretVersion({ name }))[0],
        (await client.accessSecretVersion({ name }))[0],
      ];
    });
    // The server took the store's checksum (it refuses one that does not match the data)...
    expect(version.clientSpecifiedPayloadChecksum).toBe(true);
    // ...and computes CRC32C right: the standard check value of "123456789" is 0xE3069283.
    expect(String(access.payload?.dataCrc32c)).toBe(String(0xe3069283));
    const mismatched = withClient((client) =>
      client.addSecretVersion({
        parent: `projects/${PROJECT}/secrets/CHECK`,
        payload: { data: Buffer.from('123456789'), dataCrc32c: 0xe3069284 },
      }),
    );
    await expect(mismatched).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('refuses a value whose CRC32C does not match, without quoting it', async () => {
    await store.addVersion('CORRUPT', 'test-secret-value');
    server.corruptNextAccess();
    const error = await failure(store.access('CORRUPT'));
    expect(error.code).toBe('internal');
    expect(error.message).toContain('CORRUPT');
    expect(error.message).toContain('CRC32C');
    expect(error.message).not.toContain('secret-value');
    // The next read is not corrupted.
    expect(await store.access('CORRUPT')).toBe('test-secret-value');
  });

  it('reads the newest enabled version when newer ones are disabled or destroyed', async () => {
    for (const value of ['test-v1', 'test-v2', 'test-v3']) await store.addVersion('ROTATED', value);
    await store.disableVersion('ROTATED', '3');
    expect(await store.access('ROTATED')).toBe('test-v2');
    await store.destroyVersion('ROTATED', '2');
    expect(await store.access('ROTATED')).toBe('test-v1');
    await store.disableVersion('ROTATED', '1');
    expect(await store.access('ROTATED')).toBeUndefined();
    // `latest` is disabled and no version is enabled: the listing found nothing more to read.
    expect(server.requests.slice(-2)).toEqual(['AccessSecretVersion', 'ListSecretVersions']);
  });

  it('answers undefined for a secret that does not exist or has no versions', async () => {
    expect(await store.access('MISSING')).toBeUndefined();
    await withClient((client) =>
      client.createSecret({
        parent: `projects/${PROJECT}`,
        secretId: 'EMPTY',
        secret: { replication: { automatic: {} } },
      }),
    );
    expect(await store.access('EMPTY')).toBeUndefined();
    expect(server.requests).toEqual(['AccessSecretVersion', 'CreateSecret', 'AccessSecretVersion']);
  });

  it('lists every version newest first, across pages', async () => {
    for (let i = 1; i <= 5; i++) await store.addVersion('MANY', `test-value-${i}`);
    await store.disableVersion('MANY', '2');
    await store.destroyVersion('MANY', '4');
    server.requests.length = 0;

    const versions = await store.listVersions('MANY');
    expect(versions.map((v) => [v.version, v.state])).toEqual([
      ['5', 'enabled'],
      ['4', 'destroyed'],
      ['3', 'enabled'],
      ['2', 'disabled'],
      ['1', 'enabled'],
    ]);
    for (const v of versions) expect(v.createdAt).toBeInstanceOf(Date);
    expect(server.requests).toEqual(Array(3).fill('ListSecretVersions'));

    expect(await store.listVersions('MISSING')).toEqual([]);
  });

  it('fails with not-found to disable or destroy a version that does not exist', async () => {
    await store.addVersion('PRESENT', 'test-value');
    for (const attempt of [
      store.disableVersion('ABSENT', '1'),
      store.destroyVersion('ABSENT', '1'),
      store.disableVersion('PRESENT', '9'),
      store.destroyVersion('PRESENT', '9'),
    ]) {
      const error = await failure(attempt);
      expect(error.code).toBe('not-found');
      expect(error.message).toMatch(/(disable|destroy) version \d of (ABSENT|PRESENT)/);
    }
    await store.destroyVersion('PRESENT', '1');
    expect((await failure(store.disableVersion('PRESENT', '1'))).code).toBe('failed-precondition');
  });

  it('rejects a bad secret name or version before calling Secret Manager', async () => {
    for (const attempt of [
      store.access('bad/name'),
      store.access(''),
      store.addVersion('a'.repeat(256), 'test-value'),
      store.listVersions('spaces are not allowed'),
      store.disableVersion('OK', 'latest'),
      store.destroyVersion('OK', '0'),
      store.destroyVersion('../OK', '1'),
    ]) {
      expect((await failure(attempt)).code).toBe('invalid-argument');
    }
    expect(server.requests).toEqual([]);
  });

  it.each([
    [status.PERMISSION_DENIED, 'permission-denied'],
    [status.UNAUTHENTICATED, 'permission-denied'],
    [status.UNAVAILABLE, 'unavailable'],
    [status.DEADLINE_EXCEEDED, 'unavailable'],
    [status.INVALID_ARGUMENT, 'invalid-argument'],
    [status.FAILED_PRECONDITION, 'failed-precondition'],
    [status.INTERNAL, 'internal'],
  ] as const)('maps gRPC status %i on add to %s', async (code, expected) => {
    server.failNext('AddSecretVersion', code);
    const error = await failure(store.addVersion('PROVIDER_KEY', 'test-sk-do-not-leak'));
    expect(error.code).toBe(expected);
    expect(error.message).toContain('PROVIDER_KEY');
    expect(error.message).toContain('add a version');
    expect(error.message).not.toContain('do-not-leak');
    expect((error.cause as { code?: unknown }).code).toBe(code);
    // AddSecretVersion is not idempotent, so the client does not retry it.
    expect(server.requests).toEqual(['AddSecretVersion']);
  });

  it('maps PERMISSION_DENIED on access, naming the secret but not its value', async () => {
    await store.addVersion('PROVIDER_KEY', 'test-sk-do-not-leak');
    server.failNext('AccessSecretVersion', status.PERMISSION_DENIED);
    const error = await failure(store.access('PROVIDER_KEY'));
    expect(error.code).toBe('permission-denied');
    expect(error.message).toMatch(/could not access PROVIDER_KEY: 7 PERMISSION_DENIED/);
    expect(error.message).not.toContain('do-not-leak');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('leaves an UNAVAILABLE access to the client, which retries it', async () => {
    await store.addVersion('FLAKY', 'test-value');
    server.requests.length = 0;
    server.failNext('AccessSecretVersion', status.UNAVAILABLE);
    expect(await store.access('FLAKY')).toBe('test-value');
    expect(server.requests).toEqual(['AccessSecretVersion', 'AccessSecretVersion']);
  });

  it('maps UNAVAILABLE on listing to unavailable', async () => {
    server.failNext('ListSecretVersions', status.UNAVAILABLE);
    const error = await failure(store.listVersions('ANY'));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('list the versions of ANY');
  });
  it('fails with a store error, not an unhandled rejection, when the client has no credentials', async () => {
    // google-auth-library warns that keyFilename is deprecated; it is just a quick way to fail.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { sslCreds: _, ...withoutCredentials } = server.clientOptions;
    const keyless = createGoogleSecretStore({
      projectId: PROJECT,
      clientOptions: { ...withoutCredentials, keyFilename: '/nonexistent/key.json' },
    });
    try {
      const error = await failure(keyless.access('ANY'));
      expect(error.code).toBe('internal');
      expect(error.message).toMatch(/could not set up the Secret Manager client: .*nonexistent/);
      expect(server.requests).toEqual([]);
    } finally {
      warn.mockRestore();
      await keyless.close();
    }
  });
});

describe('the package entry point', () => {
  it('does not load the client library until a store is used', () => {
    // A fresh process: this test file has loaded the client already.
    const entry = fileURLToPath(new URL('./index.ts', import.meta.url));
    const script = `
      import { createRequire } from 'node:module';
      const { createGoogleSecretStore } = await import(${JSON.stringify(entry)});
      createGoogleSecretStore({ projectId: 'p' });
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify(loaded.filter((path) => /google-gax|secret-manager/.test(path))));
    `;
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) },
    );
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([]);
  });
});
