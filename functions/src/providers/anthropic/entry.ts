// Registry entry of Anthropic: its key is the ANTHROPIC_API_KEY secret; ANTHROPIC_BASE_URL
// points it elsewhere; ANTHROPIC_MODELS replaces the model list.
import { providerKeyInfo } from '@colonycraft/protocol';
import { modelList, type ModelDefaults } from '../model-list.js';
import type { ProviderEntry } from '../registry-types.js';

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

export const anthropicEntry: ProviderEntry = {
  id: 'anthropic',
  displayName: 'Anthropic',
  secretName: providerKeyInfo('anthropic').secretName,
  async load(env, apiKey) {
    if (!apiKey) return undefined;
    const { createAnthropicProvider } = await import('./anthropic-provider.js');
    return createAnthropicProvider({
      apiKey,
      ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
      models: modelList('anthropic', MODELS, 'ANTHROPIC_MODELS', env.ANTHROPIC_MODELS),
    });
  },
};
