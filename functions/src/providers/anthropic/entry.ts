// How Anthropic is built: its row of the provider table names the secret holding its key
// (ANTHROPIC_API_KEY) and the variable pointing it elsewhere (ANTHROPIC_BASE_URL);
// ANTHROPIC_MODELS replaces the model list.
import { providerKeyInfo, type Capability } from '@colonycraft/protocol';
import { modelList, type ModelDefaults } from '../model-list.js';
import type { ProviderLoader } from '../registry-types.js';

const { baseUrlVariable } = providerKeyInfo('anthropic');

/** Claude's models call tools, read images, answer in JSON (by a forced tool) and think. */
const DEFAULT_CAPABILITIES: Capability[] = ['tools', 'vision', 'json-schema', 'reasoning'];

/** USD per million tokens. */
const MODELS: ModelDefaults[] = [
  {
    model: 'claude-opus-4-1',
    displayName: 'Claude Opus 4.1',
    contextWindow: 200_000,
    inputPrice: 15,
    outputPrice: 75,
    cachedInputPrice: 1.5,
    cacheWritePrice: 18.75,
    capabilities: DEFAULT_CAPABILITIES,
  },
  {
    model: 'claude-sonnet-4-5',
    displayName: 'Claude Sonnet 4.5',
    contextWindow: 200_000,
    inputPrice: 3,
    outputPrice: 15,
    cachedInputPrice: 0.3,
    cacheWritePrice: 3.75,
    capabilities: DEFAULT_CAPABILITIES,
  },
  {
    model: 'claude-haiku-4-5',
    displayName: 'Claude Haiku 4.5',
    contextWindow: 200_000,
    inputPrice: 1,
    outputPrice: 5,
    cachedInputPrice: 0.1,
    cacheWritePrice: 1.25,
    capabilities: DEFAULT_CAPABILITIES,
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
      models: modelList(
        'anthropic',
        MODELS,
        'ANTHROPIC_MODELS',
        env.ANTHROPIC_MODELS,
        DEFAULT_CAPABILITIES,
      ),
    });
  },
};
