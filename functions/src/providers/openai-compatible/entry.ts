// Registry entry of any OpenAI-compatible endpoint (Gemini, Mistral, Groq, OpenRouter, Ollama,
// vLLM, LM Studio…): COMPATIBLE_PRESET names a known one or COMPATIBLE_BASE_URL gives any;
// COMPATIBLE_MODELS lists its models; the COMPATIBLE_API_KEY secret holds its key.
import { defineSecret } from 'firebase-functions/params';
import { modelList } from '../model-list.js';
import type { ProviderEntry } from '../registry-types.js';

export const COMPATIBLE_API_KEY = defineSecret('COMPATIBLE_API_KEY');

export const compatibleEntry: ProviderEntry = {
  id: 'compatible',
  displayName: 'OpenAI-compatible',
  secret: COMPATIBLE_API_KEY,
  async load(env) {
    if (!env.COMPATIBLE_PRESET && !env.COMPATIBLE_BASE_URL) return undefined;
    const { createCompatibleProvider } = await import('./compatible-provider.js');
    return createCompatibleProvider({
      id: 'compatible',
      ...(env.COMPATIBLE_PRESET ? { preset: env.COMPATIBLE_PRESET } : {}),
      ...(env.COMPATIBLE_BASE_URL ? { baseURL: env.COMPATIBLE_BASE_URL } : {}),
      ...(env.COMPATIBLE_API_KEY ? { apiKey: env.COMPATIBLE_API_KEY } : {}),
      models: modelList('compatible', [], 'COMPATIBLE_MODELS', env.COMPATIBLE_MODELS),
    });
  },
};
