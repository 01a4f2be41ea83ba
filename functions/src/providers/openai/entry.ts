// Registry entry of OpenAI: its key is the OPENAI_API_KEY secret; OPENAI_BASE_URL points it
// elsewhere (a proxy, or the test stub); OPENAI_MODELS replaces the model list.
import { providerKeyInfo } from '@colonycraft/protocol';
import { modelList, type ModelDefaults } from '../model-list.js';
import type { ProviderEntry } from '../registry-types.js';

/** USD per million tokens. */
const MODELS: ModelDefaults[] = [
  {
    model: 'gpt-4.1',
    displayName: 'GPT-4.1',
    contextWindow: 1_047_576,
    inputPrice: 2,
    outputPrice: 8,
  },
  {
    model: 'gpt-4.1-mini',
    displayName: 'GPT-4.1 mini',
    contextWindow: 1_047_576,
    inputPrice: 0.4,
    outputPrice: 1.6,
  },
  {
    model: 'gpt-4o',
    displayName: 'GPT-4o',
    contextWindow: 128_000,
    inputPrice: 2.5,
    outputPrice: 10,
  },
  {
    model: 'gpt-4o-mini',
    displayName: 'GPT-4o mini',
    contextWindow: 128_000,
    inputPrice: 0.15,
    outputPrice: 0.6,
  },
  {
    model: 'o4-mini',
    displayName: 'o4-mini',
    contextWindow: 200_000,
    inputPrice: 1.1,
    outputPrice: 4.4,
  },
];

export const openaiEntry: ProviderEntry = {
  id: 'openai',
  displayName: 'OpenAI',
  secretName: providerKeyInfo('openai').secretName,
  async load(env, apiKey) {
    if (!apiKey) return undefined;
    const { createOpenAIProvider } = await import('./openai-provider.js');
    return createOpenAIProvider({
      apiKey,
      ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
      models: modelList('openai', MODELS, 'OPENAI_MODELS', env.OPENAI_MODELS),
    });
  },
};
