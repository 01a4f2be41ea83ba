// The pure parts of provider keys: what may be shown of a key, how the store's versions and our
// rows merge, where a key check goes, and how store failures are answered.
import { describe, expect, it } from 'vitest';
import { providerKeyInfo } from '@colonycraft/protocol';
import { createLocalSecretStore, SecretStoreError } from '@colonycraft/secrets';
import type { ProviderKeyRow } from '../data/provider-key-versions.js';
import { ApiError } from '../errors.js';
import { providerBaseUrl, type ProviderEndpoints } from './provider-key-check.js';
import { storeFailure } from './provider-key-store.js';
import { hintOf, statusOf } from './provider-keys.js';

describe('hintOf', () => {
  it('when there is no key, then it is not configured and shows nothing', () => {
    expect(hintOf(undefined)).toEqual({ configured: false, keyLast4: null });
  });

  it('when the key is shorter than 12 characters, then not even its last four are shown', () => {
    expect(hintOf('sk-1234567')).toEqual({ configured: true, keyLast4: null });
    expect(hintOf('sk-12345678')).toEqual({ configured: true, keyLast4: null });
  });

  it('when the key has 12 characters or more, then only its last four are shown', () => {
    expect(hintOf('sk-123456789')).toEqual({ configured: true, keyLast4: '6789' });
    expect(hintOf(`sk-${'x'.repeat(60)}Wq9Z`)).toEqual({ configured: true, keyLast4: 'Wq9Z' });
  });
});

describe('statusOf', () => {
  const at = (s: string) => new Date(`2026-01-01T00:00:${s}Z`);
  const row = (r: Partial<ProviderKeyRow> & { version: string }): ProviderKeyRow => ({
    provider: 'openai',
    createdBy: null,
    createdAt: 0,
    disableAt: null,
    disabledAt: null,
    ...r,
  });

  it('when store and rows are merged, then the store says which versions exist and our rows who and when', () => {
    const status = statusOf(
      providerKeyInfo('openai'),
      { configured: true, keyLast4: 'abcd' },
      [
        { version: '1', state: 'disabled', createdAt: at('01') },
        { version: '3', state: 'enabled', createdAt: at('03') },
        { version: '2', state: 'enabled', createdAt: at('02') },
      ],
      [
        // Set elsewhere, scheduled, then disabled: nothing scheduled any more.
        row({ version: '1', disableAt: 5, disabledAt: 6 }),
        row({ version: '2', createdBy: 'u1', createdAt: 20, disableAt: 99 }),
        row({ version: '3', createdBy: 'u2', createdAt: 30 }),
        // A row the store does not know (deleted there): not shown.
        row({ version: '7', createdBy: 'u9', createdAt: 10 }),
      ],
    );
    expect(status).toMatchObject({
      id: 'openai',
      secretName: 'OPENAI_API_KEY',
      configured: true,
      keyLast4: 'abcd',
      lastRotatedBy: 'u9',
    });
    expect(status.versions).toEqual([
      {
        version: '3',
        state: 'enabled',
        createdAt: at('03').getTime(),
        createdBy: 'u2',
        disableAt: null,
      },
      {
        version: '2',
        state: 'enabled',
        createdAt: at('02').getTime(),
        createdBy: 'u1',
        disableAt: 99,
      },
      {
        version: '1',
        state: 'disabled',
        createdAt: at('01').getTime(),
        createdBy: null,
        disableAt: null,
      },
    ]);
  });

  it('when no version was added through the API, then there is no last rotation', () => {
    const status = statusOf(
      providerKeyInfo('anthropic'),
      { configured: true, keyLast4: null },
      [{ version: '1', state: 'enabled', createdAt: at('01') }],
      [row({ provider: 'anthropic', version: '1', disableAt: 50 })],
    );
    expect(status).toMatchObject({ lastRotatedAt: null, lastRotatedBy: null });
    expect(status.versions[0]).toMatchObject({ createdBy: null, disableAt: 50 });
  });
});

describe('providerBaseUrl', () => {
  const none = { openai: undefined, anthropic: undefined, compatible: undefined };
  const endpoints = (e: Partial<ProviderEndpoints>): ProviderEndpoints => ({
    baseUrls: none,
    compatiblePreset: undefined,
    ...e,
  });

  it('when nothing is configured, then each provider its default; compatible has none', () => {
    expect(providerBaseUrl(endpoints({}), providerKeyInfo('openai'))).toBe(
      'https://api.openai.com/v1',
    );
    expect(providerBaseUrl(endpoints({}), providerKeyInfo('anthropic'))).toBe(
      'https://api.anthropic.com',
    );
    expect(providerBaseUrl(endpoints({}), providerKeyInfo('compatible'))).toBeUndefined();
  });

  it('when a preset is named, then compatible uses its URL, unless COMPATIBLE_BASE_URL is set', () => {
    const info = providerKeyInfo('compatible');
    expect(providerBaseUrl(endpoints({ compatiblePreset: 'groq' }), info)).toBe(
      'https://api.groq.com/openai/v1',
    );
    expect(
      providerBaseUrl(
        endpoints({
          compatiblePreset: 'groq',
          baseUrls: { ...none, compatible: 'http://127.0.0.1:9/v1' },
        }),
        info,
      ),
    ).toBe('http://127.0.0.1:9/v1');
    // The preset is the compatible provider's only.
    expect(
      providerBaseUrl(endpoints({ compatiblePreset: 'groq' }), providerKeyInfo('openai')),
    ).toBe('https://api.openai.com/v1');
  });
});

describe('storeFailure', () => {
  const local = createLocalSecretStore({});

  it('when the local store is read-only, then 409 naming LOCAL_SECRETS_FILE', async () => {
    const error = await local.addVersion('OPENAI_API_KEY', 'sk-some-value-1234').catch((e) => e);
    const answer = storeFailure(local, 'add a version to OPENAI_API_KEY', error);
    expect(answer).toBeInstanceOf(ApiError);
    expect(answer.code).toBe('conflict');
    expect(answer.message).toMatch(/^The local secret store could not add a version/);
    expect(answer.message).toMatch(/LOCAL_SECRETS_FILE/);
  });

  it('when the store is unavailable, then 503; a key that found its way into a message is scrubbed', () => {
    const key = 'sk-leaky-value-QzQz';
    const answer = storeFailure(
      { ...local, kind: 'google' as const },
      'add a version to OPENAI_API_KEY',
      new SecretStoreError('unavailable', `deadline exceeded sending ${key}`),
      key,
    );
    expect(answer.code).toBe('unavailable');
    expect(answer.message).toMatch(/^Google Secret Manager could not add a version/);
    expect(answer.message).not.toContain(key);
    expect(String((answer.cause as Error).message)).not.toContain(key);
  });

  it('when something else fails, then 503 with at most an error code, never its message', () => {
    const fsError = Object.assign(new Error('EACCES: permission denied, open /x'), {
      code: 'EACCES',
    });
    const answer = storeFailure(local, 'add a version to OPENAI_API_KEY', fsError);
    expect(answer.code).toBe('unavailable');
    expect(answer.message).toBe(
      'The local secret store could not add a version to OPENAI_API_KEY (EACCES).',
    );
  });
});
