// Provider keys come from the secret store at run time: a key added there is used by the next
// calls (within the catalog's minute, shortened here) with no restart, and a store that fails
// keeps the last key it gave.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { createLocalSecretStore, type SecretStore } from '@colonycraft/secrets';
import { stubReply } from '@colonycraft/testing';
import { startGatewayFixture, STUB_KEY, type GatewayFixture } from '../dev/gateway-fixture.js';
import { loadCatalog } from '../gateway/catalog.js';
import { readProviderKey, resetProviderKeys } from './provider-keys.js';
import { providerEntry } from './registry.js';

let dir: string;
let env: Record<string, string>;
let store: SecretStore;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'provider-keys-'));
  env = {
    SECRET_STORE: 'local',
    LOCAL_SECRETS_FILE: join(dir, 'sealed.json'),
    LOCAL_SECRETS_KEY: randomBytes(32).toString('base64'),
  };
  store = createLocalSecretStore({ file: env.LOCAL_SECRETS_FILE, key: env.LOCAL_SECRETS_KEY });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => resetProviderKeys());

describe('reading provider keys', () => {
  it('lists a provider only once the store holds its key, and the store wins over the environment', async () => {
    const catalogEnv = { ...env, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    expect((await loadCatalog([providerEntry('openai')], catalogEnv)).providers.has('openai')).toBe(
      false,
    );

    await store.addVersion('OPENAI_API_KEY', 'test-from-store-1');
    const catalog = await loadCatalog([providerEntry('openai')], {
      ...catalogEnv,
      OPENAI_API_KEY: 'test-env',
    });
    expect(catalog.providers.has('openai')).toBe(true);
    expect(await readProviderKey('OPENAI_API_KEY', { ...env, OPENAI_API_KEY: 'test-env' })).toBe(
      'test-from-store-1',
    );
  });

  it('keeps the last key read while the store cannot be read', async () => {
    await store.addVersion('ANTHROPIC_API_KEY', 'test-anthropic-1');
    expect(await readProviderKey('ANTHROPIC_API_KEY', env)).toBe('test-anthropic-1');
    const sealed = readFileSync(env.LOCAL_SECRETS_FILE!, 'utf8');
    writeFileSync(env.LOCAL_SECRETS_FILE!, '{ torn');
    try {
      expect(await readProviderKey('ANTHROPIC_API_KEY', env)).toBe('test-anthropic-1');
      // With nothing read before, a failing store leaves the provider unconfigured.
      expect(await readProviderKey('OPENAI_API_KEY', env)).toBeUndefined();
    } finally {
      writeFileSync(env.LOCAL_SECRETS_FILE!, sealed);
    }
  });

  it('reads plain environment variables where no store is configured', async () => {
    expect(await readProviderKey('OPENAI_API_KEY', { OPENAI_API_KEY: 'test-plain' })).toBe(
      'test-plain',
    );
    resetProviderKeys();
    expect(await readProviderKey('OPENAI_API_KEY', { OPENAI_API_KEY: '' })).toBeUndefined();
  });
});

describe('rotating a key without a redeploy', () => {
  let gw: GatewayFixture;
  const rotated = `test-rotated-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    const rotation = createLocalSecretStore({
      file: join(dir, 'gateway.json'),
      key: env.LOCAL_SECRETS_KEY,
    });
    await rotation.addVersion('OPENAI_API_KEY', STUB_KEY);
    gw = await startGatewayFixture({
      ...env,
      LOCAL_SECRETS_FILE: join(dir, 'gateway.json'),
      // Only the store holds the key; the catalog is rebuilt every 300 ms instead of 60 s.
      OPENAI_API_KEY: '',
      CATALOG_TTL_MS: '300',
    });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('uses the new key on the next calls of the same running instance', async () => {
    const client = new OpenAI({
      apiKey: await gw.token(),
      baseURL: `${gw.url}v1/v1`,
      maxRetries: 0,
    });
    const ask = () =>
      client.chat.completions.create({
        model: 'openai/gpt-stub',
        messages: [{ role: 'user', content: 'which key?' }],
      });
    const pid = gw.server.process.pid;
    const first = await ask();
    expect(first.choices[0]?.message.content).toBe(stubReply('which key?'));
    expect(gw.stub.requests.at(-1)?.headers.authorization).toBe(`Bearer ${STUB_KEY}`);

    // The provider now accepts only the new key, which an admin adds to the store.
    gw.stub.setApiKey(rotated);
    await createLocalSecretStore({
      file: join(dir, 'gateway.json'),
      key: env.LOCAL_SECRETS_KEY,
    }).addVersion('OPENAI_API_KEY', rotated);

    const deadline = Date.now() + 10_000;
    let answered = false;
    while (!answered && Date.now() < deadline) {
      answered = await ask().then(
        () => true,
        () => false,
      );
      if (!answered) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answered).toBe(true);
    expect(gw.stub.requests.at(-1)?.headers.authorization).toBe(`Bearer ${rotated}`);
    // The same process answered: nothing was restarted or redeployed.
    expect(gw.server.process.pid).toBe(pid);
    expect(gw.server.process.exitCode).toBeNull();
  });
});
