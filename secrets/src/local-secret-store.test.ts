import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalSecretStore, parseLocalSecretsKey } from './local-secret-store.js';
import { secretStoreFromEnv, secretStoreKind } from './from-env.js';
import { SecretStoreError, type SecretStoreErrorCode } from './secret-store.js';

let dir: string;
let dotenvPath: string;
let file: string;
const key = randomBytes(32).toString('base64');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-secrets-'));
  dotenvPath = join(dir, '.secret.local');
  file = join(dir, 'sealed.json');
  writeFileSync(dotenvPath, "OPENAI_API_KEY='test-from-dotenv-1111'\nOTHER=x\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<SecretStoreErrorCode> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecretStoreError);
  return (error as SecretStoreError).code;
}

describe('the local secret store', () => {
  it('reads the dotenv file as each secret version 1', async () => {
    const store = createLocalSecretStore({ dotenvPath, file, key });
    expect(await store.access('OPENAI_API_KEY')).toBe('test-from-dotenv-1111');
    expect(await store.access('ANTHROPIC_API_KEY')).toBeUndefined();
    const [only, ...rest] = await store.listVersions('OPENAI_API_KEY');
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ version: '1', state: 'enabled' });
    expect(await store.listVersions('ANTHROPIC_API_KEY')).toEqual([]);
  });

  it('adds versions after the dotenv value and serves the newest enabled one', async () => {
    const store = createLocalSecretStore({ dotenvPath, file, key });
    const added = await store.addVersion('OPENAI_API_KEY', 'test-rotated-2222');
    expect(added).toMatchObject({ version: '2', state: 'enabled' });
    expect(await store.access('OPENAI_API_KEY')).toBe('test-rotated-2222');

    await store.disableVersion('OPENAI_API_KEY', '2');
    expect(await store.access('OPENAI_API_KEY')).toBe('test-from-dotenv-1111');
    await store.disableVersion('OPENAI_API_KEY', '1');
    expect(await store.access('OPENAI_API_KEY')).toBeUndefined();

    const versions = await store.listVersions('OPENAI_API_KEY');
    expect(versions.map((v) => [v.version, v.state])).toEqual([
      ['2', 'disabled'],
      ['1', 'disabled'],
    ]);
  });

  it('keeps values sealed at rest, with no value in the file in clear', async () => {
    const store = createLocalSecretStore({ dotenvPath, file, key });
    await store.addVersion('OPENAI_API_KEY', 'test-rotated-2222');
    const raw = readFileSync(file, 'utf8');
    expect(raw).not.toContain('test-rotated-2222');
    expect(raw).not.toContain('test-from-dotenv-1111');
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('refuses to open values under another key, or altered ones', async () => {
    await createLocalSecretStore({ file, key }).addVersion('A_KEY', 'test-value-3333');
    const other = createLocalSecretStore({ file, key: randomBytes(32).toString('hex') });
    expect(await failure(other.access('A_KEY'))).toBe('permission-denied');

    // A version's sealed value moved under another name does not open: the name is bound in.
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.secrets.B_KEY = data.secrets.A_KEY;
    writeFileSync(file, JSON.stringify(data));
    expect(await failure(createLocalSecretStore({ file, key }).access('B_KEY'))).toBe(
      'permission-denied',
    );
  });

  it('destroys a version for good', async () => {
    const store = createLocalSecretStore({ dotenvPath, file, key });
    await store.addVersion('OPENAI_API_KEY', 'test-rotated-2222');
    await store.destroyVersion('OPENAI_API_KEY', '1');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    expect(data.secrets.OPENAI_API_KEY[0]).toEqual(
      expect.not.objectContaining({ sealed: expect.anything() }),
    );
    expect(await failure(store.disableVersion('OPENAI_API_KEY', '1'))).toBe('failed-precondition');
    expect(await store.access('OPENAI_API_KEY')).toBe('test-rotated-2222');
  });

  it('names what is wrong and changes nothing on bad input', async () => {
    const store = createLocalSecretStore({ dotenvPath, file, key });
    expect(await failure(store.access('no spaces'))).toBe('invalid-argument');
    expect(await failure(store.addVersion('OPENAI_API_KEY', ''))).toBe('invalid-argument');
    expect(await failure(store.disableVersion('OPENAI_API_KEY', 'latest'))).toBe(
      'invalid-argument',
    );
    expect(await failure(store.disableVersion('OPENAI_API_KEY', '7'))).toBe('not-found');
    expect(await failure(store.destroyVersion('MISSING', '1'))).toBe('not-found');
    expect(() => statSync(file)).toThrow();
  });

  it('orders concurrent additions without losing one', async () => {
    const store = createLocalSecretStore({ file, key });
    const added = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.addVersion('MANY', `test-${i}`)),
    );
    expect(added.map((v) => v.version).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 20 }, (_, i) => String(i + 1)),
    );
    expect(await store.access('MANY')).toBe('test-19');
  });

  it('needs a 32-byte key, and a file to write to', async () => {
    expect(() => parseLocalSecretsKey('c2hvcnQ=')).toThrow(/32 bytes/);
    expect(parseLocalSecretsKey('ab'.repeat(32))).toHaveLength(32);
    expect(await failure(createLocalSecretStore({ file }).addVersion('A', 'test-v'))).toBe(
      'failed-precondition',
    );
    expect(await failure(createLocalSecretStore({ dotenvPath, key }).addVersion('A', 'v'))).toBe(
      'failed-precondition',
    );
  });
});

describe('choosing a store from the environment', () => {
  it('follows SECRET_STORE, then the emulator, then Cloud Run', () => {
    expect(secretStoreKind({ SECRET_STORE: 'env', K_SERVICE: 'x' })).toBe('env');
    expect(secretStoreKind({ FUNCTIONS_EMULATOR: 'true' })).toBe('local');
    expect(secretStoreKind({ LOCAL_SECRETS_FILE: file })).toBe('local');
    expect(secretStoreKind({ K_SERVICE: 'chatopenai' })).toBe('google');
    expect(secretStoreKind({})).toBe('env');
    expect(() => secretStoreKind({ SECRET_STORE: 'vault' })).toThrow(/google, local or env/);
    expect(() => secretStoreFromEnv({ SECRET_STORE: 'google' })).toThrow(/project/);
  });

  it('builds the local store the variables describe', async () => {
    const store = secretStoreFromEnv({
      SECRET_STORE: 'local',
      LOCAL_SECRETS_DOTENV: dotenvPath,
      LOCAL_SECRETS_FILE: file,
      LOCAL_SECRETS_KEY: key,
    });
    expect(store?.kind).toBe('local');
    await store!.addVersion('OPENAI_API_KEY', 'test-rotated-4444');
    const again = createLocalSecretStore({ dotenvPath, file, key });
    expect(await again.access('OPENAI_API_KEY')).toBe('test-rotated-4444');
  });
});
