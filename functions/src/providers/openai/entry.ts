// How OpenAI is built: its row of the provider table names the secret holding its key
// (OPENAI_API_KEY) and the variable pointing it elsewhere (OPENAI_BASE_URL: a proxy, or the test
// stub); OPENAI_MODELS replaces the model list.
import { providerKeyInfo, type Capability } from '@colonycraft/protocol';
import { modelList, type ModelDefaults } from '../model-list.js';
import type { ProviderLoader } from '../registry-types.js';

const { baseUrlVariable } = providerKeyInfo('openai');

/** What a model named in OPENAI_MODELS can do unless it says. */
const DEFAULT_CAPABILITIES: Capability[] = ['tools', 'vision', 'json-schema'];

/** USD per million tokens. */
const MODELS: ModelDefaults[] = [
  {
    model: 'gpt-4.1',
    displayName: 'GPT-4.1',
    contextWindow: 1_047_576,
    inputPrice: 2,
    outputPrice: 8,
    cachedInputPrice: 0.5,
    capabilities: ['tools', 'vision', 'json-schema'],
  },
  {
    model: 'gpt-4.1-mini',
    displayName: 'GPT-4.1 mini',
    contextWindow: 1_047_576,
    inputPrice: 0.4,
    outputPrice: 1.6,
    cachedInputPrice: 0.1,
    capabilities: ['tools', 'vision', 'json-schema'],
  },
  {
    model: 'gpt-4o',
    displayName: 'GPT-4o',
    contextWindow: 128_000,
    inputPrice: 2.5,
    outputPrice: 10,
    cachedInputPrice: 1.25,
    capabilities: ['tools', 'vision', 'json-schema'],
  },
  {
    model: 'gpt-4o-mini',
    displayName: 'GPT-4o mini',
    contextWindow: 128_000,
    inputPrice: 0.15,
    outputPrice: 0.6,
    cachedInputPrice: 0.075,
    capabilities: ['tools', 'vision', 'json-schema'],
  },
  {
    model: 'text-embedding-3-small',
    displayName: 'Text embedding 3 small',
    contextWindow: 8191,
    inputPrice: 0.02,
    outputPrice: 0,
    capabilities: ['embeddings'],
  },
  {
    model: 'text-embedding-3-large',
    displayName: 'Text embedding 3 large',
    contextWindow: 8191,
    inputPrice: 0.13,
    outputPrice: 0,
    capabilities: ['embeddings'],
  },
  {
    model: 'o4-mini',
    displayName: 'o4-mini',
    contextWindow: 200_000,
    inputPrice: 1.1,
    outputPrice: 4.4,
    cachedInputPrice: 0.275,
    capabilities: ['tools', 'vision', 'json-schema', 'reasoning'],
  },
];

export const openaiEntry: ProviderLoader = {
  async load(env, apiKey) {
    if (!apiKey) return undefined;
    const { createOpenAIProvider } = await import('./openai-provider.js');
    const baseURL = env[baseUrlVariable];
    return createOpenAIProvider({
      apiKey,
      ...(baseURL ? { baseURL } : {}),
      models: modelList('openai', MODELS, 'OPENAI_MODELS', env.OPENAI_MODELS, DEFAULT_CAPABILITIES),
    });
  },
};
