// How Anthropic is built: its row of the provider table names the secret holding its key
// (ANTHROPIC_API_KEY) and the variable pointing it elsewhere (ANTHROPIC_BASE_URL);
// ANTHROPIC_MODELS replaces the model list.
import { providerKeyInfo } from '@colonycraft/protocol';
import { modelList, type ModelDefaults } from '../model-list.js';
import type { ProviderLoader } from '../registry-types.js';

const { baseUrlVariable } = providerKeyInfo('anthropic');

/** USD per million tokens. */
const MODELS: ModelDefaults[] = [
  {
    model: 'claude-opus-4-1',
    displayName: 'Claude Opus 4.1',
    contextWindow: 200_000,
    inputPrice: 15,
    outputPrice: 75,
  },
  {
    model: 'claude-sonnet-4-5',
    displayName: 'Claude Sonnet 4.5',
    contextWindow: 200_000,
    inputPrice: 3,
    outputPrice: 15,
  },
  {
    model: 'claude-haiku-4-5',
    displayName: 'Claude Haiku 4.5',
    contextWindow: 200_000,
    inputPrice: 1,
    outputPrice: 5,
  },
];

export const anthropicEntry: ProviderLoader = {
  async load(env, apiKey) {
    if (!apiKey) return undefined;
    const { createAnthropicProvider } = await import('./anthropic-provider.js');
    const baseURL = env[baseUrlVariable];
    return createAnthropicProvider({
      apiKey,
      ...(baseURL ? { baseURL } : {}),
      models: modelList('anthropic', MODELS, 'ANTHROPIC_MODELS', env.ANTHROPIC_MODELS),
    });
  },
};
