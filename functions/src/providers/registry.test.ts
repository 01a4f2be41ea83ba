// The registry is the provider table with each folder's loader: every row has one, in the
// table's order, and the row, not the folder, says which secret holds the key.
import { describe, expect, it } from 'vitest';
import { PROVIDER_TABLE } from '@colonycraft/protocol';
import { PROVIDERS, providerEntry } from './registry.js';

describe('the provider registry', () => {
  it('when it is listed, then it holds every row of the table, in order, each with a loader', () => {
    expect(PROVIDERS.map((entry) => entry.id)).toEqual(PROVIDER_TABLE.map((row) => row.id));
    for (const entry of PROVIDERS) expect(typeof entry.load).toBe('function');
  });

  it('when an entry is looked up, then it carries its row: name, secret and callable', () => {
    expect(providerEntry('openai')).toMatchObject({
      displayName: 'OpenAI',
      secretName: 'OPENAI_API_KEY',
      callable: 'chatBy-openai',
    });
    expect(providerEntry('local').secretName).toBeUndefined();
  });

  it('when a provider that takes a key has none, then it is not built', async () => {
    for (const entry of PROVIDERS.filter((e) => e.id === 'openai' || e.id === 'anthropic')) {
      expect(await entry.load({}, undefined)).toBeUndefined();
    }
  });

  it('when the row’s base-URL variable is set, then the compatible provider is built from it', async () => {
    const env = {
      COMPATIBLE_BASE_URL: 'http://127.0.0.1:9/v1',
      COMPATIBLE_MODELS: '[{"model":"m"}]',
    };
    const provider = await providerEntry('compatible').load(env, 'key');
    expect(provider?.models.map((m) => m.id)).toEqual(['compatible/m']);
    expect(await providerEntry('compatible').load({}, 'key')).toBeUndefined();
  });

  it('when the local model is switched on, then it is built, and not otherwise', async () => {
    expect(
      await providerEntry('local').load({ LOCAL_PROVIDER: 'enabled' }, undefined),
    ).toBeDefined();
    expect(await providerEntry('local').load({}, undefined)).toBeUndefined();
  });
});
