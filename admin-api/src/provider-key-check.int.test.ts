// `checkProviderKey` for OpenAI-compatible servers that need no key (Ollama, vLLM, LM Studio):
// with no key set it checks the server without one, against the real provider stub, and a
// preset that needs a key still says that none is set.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSecretStore, type SecretStore } from '@colonycraft/secrets';
import { startProviderStub, type ProviderStub } from '@colonycraft/testing';
import { checkProviderKey } from './domain/provider-key-check.js';

const KEY = `sk-test-${randomBytes(12).toString('hex')}`;
let dir: string;
let store: SecretStore;
/** Answers without a key, as Ollama does. */
let keyless: ProviderStub;
/** Wants KEY. */
let keyed: ProviderStub;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'key-check-'));
  const dotenvPath = join(dir, '.secret.local');
  writeFileSync(dotenvPath, '');
  store = createLocalSecretStore({
    dotenvPath,
    file: join(dir, 'sealed.json'),
    key: randomBytes(32).toString('base64'),
  });
  keyless = await startProviderStub({ keyless: true });
  keyed = await startProviderStub({ apiKey: KEY });
});

afterAll(async () => {
  await Promise.all([keyless?.close(), keyed?.close(), store?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const check = (preset: string, stub: ProviderStub) =>
  checkProviderKey(
    {
      secrets: store,
      timeoutMs: 5_000,
      endpoints: {
        baseUrls: { openai: undefined, anthropic: undefined, compatible: stub.openaiBaseURL },
        compatiblePreset: preset,
      },
    },
    'compatible',
  );

describe('checking a compatible server with no key set', () => {
  it('when its preset needs no key and the server answers without one, then it works, and no key was sent', async () => {
    keyless.reset();
    const result = await check('ollama', keyless);
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.message).toBe(
      `${new URL(keyless.url).host} works without a key: it listed its models.`,
    );
    expect(keyless.requests).toHaveLength(1);
    expect(keyless.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(keyless.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('when its preset needs no key but the server asks for one, then the answer says to set one', async () => {
    const result = await check('vllm', keyed);
    expect(result).toMatchObject({ ok: false, status: 401 });
    expect(result.message).toMatch(/asks for a key \(HTTP 401\): set one\.$/);
  });

  it('when its preset needs a key, then nothing is called and the answer says none is set', async () => {
    keyless.reset();
    const result = await check('groq', keyless);
    expect(result).toEqual({
      ok: false,
      status: null,
      latencyMs: 0,
      message: 'No key is set for OpenAI-compatible: set one first.',
    });
    expect(keyless.requests).toHaveLength(0);
  });

  it('when a key is set after all, then the check sends it', async () => {
    await store.addVersion('COMPATIBLE_API_KEY', KEY);
    const result = await check('ollama', keyed);
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.message).toBe('The key works: OpenAI-compatible listed its models.');
  });
});
