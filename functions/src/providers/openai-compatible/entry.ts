// How any OpenAI-compatible endpoint (Gemini, Mistral, Groq, OpenRouter, Ollama, vLLM, LM
// Studio…) is built: COMPATIBLE_PRESET names a known one or the row's base-URL variable
// (COMPATIBLE_BASE_URL) gives any; COMPATIBLE_MODELS lists its models; the row's secret
// (COMPATIBLE_API_KEY) holds its key.
import { providerKeyInfo } from '@colonycraft/protocol';
import { modelList } from '../model-list.js';
import type { ProviderLoader } from '../registry-types.js';

const { baseUrlVariable } = providerKeyInfo('compatible');

export const compatibleEntry: ProviderLoader = {
  async load(env, apiKey) {
    const baseURL = env[baseUrlVariable];
    if (!env.COMPATIBLE_PRESET && !baseURL) return undefined;
    const { createCompatibleProvider } = await import('./compatible-provider.js');
    return createCompatibleProvider({
      id: 'compatible',
      ...(env.COMPATIBLE_PRESET ? { preset: env.COMPATIBLE_PRESET } : {}),
      ...(baseURL ? { baseURL } : {}),
      ...(apiKey ? { apiKey } : {}),
      // Most compatible servers call tools and answer in JSON; vision and reasoning vary by model
      // and are named per model in COMPATIBLE_MODELS.
      models: modelList('compatible', [], 'COMPATIBLE_MODELS', env.COMPATIBLE_MODELS, [
        'tools',
        'json-schema',
      ]),
    });
  },
};
