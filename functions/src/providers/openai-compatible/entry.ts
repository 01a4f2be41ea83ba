// Registry entry of any OpenAI-compatible endpoint (Gemini, Mistral, Groq, OpenRouter, Ollama,
// vLLM, LM Studio…): COMPATIBLE_PRESET names a known one or COMPATIBLE_BASE_URL gives any;
// COMPATIBLE_MODELS lists its models; the COMPATIBLE_API_KEY secret holds its key.
import { providerKeyInfo } from '@colonycraft/protocol';
import { modelList } from '../model-list.js';
import type { ProviderEntry } from '../registry-types.js';

export const compatibleEntry: ProviderEntry = {
  id: 'compatible',
  displayName: 'OpenAI-compatible',
  secretName: providerKeyInfo('compatible').secretName,
  async load(env, apiKey) {
    if (!env.COMPATIBLE_PRESET && !env.COMPATIBLE_BASE_URL) return undefined;
    const { createCompatibleProvider } = await import('./compatible-provider.js');
    return createCompatibleProvider({
      id: 'compatible',
      ...(env.COMPATIBLE_PRESET ? { preset: env.COMPATIBLE_PRESET } : {}),
      ...(env.COMPATIBLE_BASE_URL ? { baseURL: env.COMPATIBLE_BASE_URL } : {}),
      ...(apiKey ? { apiKey } : {}),
      models: modelList('compatible', [], 'COMPATIBLE_MODELS', env.COMPATIBLE_MODELS),
    });
  },
};
