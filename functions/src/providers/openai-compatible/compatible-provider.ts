// Any server that speaks OpenAI's Chat Completions (Gemini, Mistral, Groq, OpenRouter, Ollama,
// vLLM, LM Studio…): the OpenAI adapter with its own id, base URL and quirks from a preset.
import { z } from 'zod';
import type { ModelInfo, Provider } from '../provider.js';
import { parseOptions } from '../kit.js';
import { createOpenAIProvider } from '../openai/openai-provider.js';
import {
  COMPATIBLE_PRESET_NAMES,
  compatiblePreset,
  isCompatiblePresetName,
  type CompatiblePresetName,
} from '@colonycraft/protocol';

export interface CompatibleProviderOptions {
  /** The provider id, the `provider` in `provider/model`. */
  id: string;
  /** One of {@link COMPATIBLE_PRESET_NAMES}; any string is accepted here and checked, as it
   * usually comes from configuration. */
  preset?: CompatiblePresetName | (string & {});
  /** Overrides the preset's base URL; required without a preset. */
  baseURL?: string;
  /** Required when the preset says so; local servers need none. */
  apiKey?: string;
  models: readonly ModelInfo[];
  fetch?: typeof fetch;
  defaultHeaders?: Record<string, string>;
}

/**
 * Sent when no key is configured. The OpenAI SDK needs some key, and left without one it would
 * read OPENAI_API_KEY from the environment and send OpenAI's key to this other server.
 */
export const KEYLESS_API_KEY = 'no-key';

const where = 'createCompatibleProvider';

const Options = z.object({
  id: z
    .string({ error: `${where}: id is missing` })
    .regex(/^[a-z0-9][a-z0-9-]*$/, `${where}: id must be lower-case letters, digits and dashes`),
  preset: z
    .string()
    .refine(isCompatiblePresetName, {
      error: (issue) =>
        `${where}: unknown preset "${String(issue.input)}" (COMPATIBLE_PRESET); known: ${COMPATIBLE_PRESET_NAMES.join(', ')}`,
    })
    .optional(),
  baseURL: z.url({ error: `${where}: baseURL (COMPATIBLE_BASE_URL) must be a URL` }).optional(),
  apiKey: z.string().optional(),
});

export function createCompatibleProvider(options: CompatibleProviderOptions): Provider {
  const parsed = parseOptions(Options, options);
  const { id } = parsed;
  const preset = parsed.preset === undefined ? undefined : compatiblePreset(parsed.preset);
  // Configuration often arrives as empty strings for unset values.
  const apiKey = parsed.apiKey || undefined;

  const baseURL = parsed.baseURL || preset?.baseURL;
  if (!baseURL) {
    throw new Error(
      `${where}: baseURL is missing; pass baseURL or a preset, or set COMPATIBLE_BASE_URL or COMPATIBLE_PRESET`,
    );
  }
  if (preset?.requiresApiKey && !apiKey) {
    throw new Error(
      `${where}: apiKey is missing; ${preset.displayName} needs one: pass apiKey or set COMPATIBLE_API_KEY`,
    );
  }

  return createOpenAIProvider({
    id,
    apiKey: apiKey ?? KEYLESS_API_KEY,
    baseURL,
    models: options.models,
    // Compatible servers know max_tokens; max_completion_tokens is OpenAI's newer name.
    maxTokensParam: 'max_tokens',
    streamOptions: preset?.streamOptions ?? true,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.defaultHeaders ? { defaultHeaders: options.defaultHeaders } : {}),
  });
}
