// Known OpenAI-compatible endpoints, so that configuring one is naming it rather than looking up
// its base URL and quirks.

export interface CompatiblePreset {
  displayName: string;
  /** The base URL the OpenAI SDK appends `/chat/completions` to. */
  baseURL: string;
  /** False for local servers, which accept any key or none. */
  requiresApiKey: boolean;
  /**
   * Whether to ask for usage with `stream_options.include_usage`. Mistral rejects the field
   * with a 422 ("extra inputs are not permitted") and sends usage at the end anyway.
   */
  streamOptions: boolean;
}

export const COMPATIBLE_PRESETS = {
  gemini: {
    displayName: 'Google Gemini',
    baseURL: 'https://generativelanguage.googleapis.com/v1beta/openai/',
    requiresApiKey: true,
    streamOptions: true,
  },
  mistral: {
    displayName: 'Mistral AI',
    baseURL: 'https://api.mistral.ai/v1',
    requiresApiKey: true,
    streamOptions: false,
  },
  groq: {
    displayName: 'Groq',
    baseURL: 'https://api.groq.com/openai/v1',
    requiresApiKey: true,
    streamOptions: true,
  },
  openrouter: {
    displayName: 'OpenRouter',
    baseURL: 'https://openrouter.ai/api/v1',
    requiresApiKey: true,
    streamOptions: true,
  },
  ollama: {
    displayName: 'Ollama',
    baseURL: 'http://127.0.0.1:11434/v1',
    requiresApiKey: false,
    streamOptions: true,
  },
  vllm: {
    displayName: 'vLLM',
    baseURL: 'http://127.0.0.1:8000/v1',
    // vLLM checks a key only when started with --api-key.
    requiresApiKey: false,
    streamOptions: true,
  },
  lmstudio: {
    displayName: 'LM Studio',
    baseURL: 'http://127.0.0.1:1234/v1',
    requiresApiKey: false,
    streamOptions: true,
  },
} as const satisfies Record<string, CompatiblePreset>;

export type CompatiblePresetName = keyof typeof COMPATIBLE_PRESETS;

export const COMPATIBLE_PRESET_NAMES = Object.keys(COMPATIBLE_PRESETS) as CompatiblePresetName[];

export function isCompatiblePresetName(name: string): name is CompatiblePresetName {
  return Object.hasOwn(COMPATIBLE_PRESETS, name);
}

/** The preset of that name, or undefined when there is none (`toString` included). */
export function compatiblePreset(name: string): CompatiblePreset | undefined {
  return isCompatiblePresetName(name) ? COMPATIBLE_PRESETS[name] : undefined;
}
