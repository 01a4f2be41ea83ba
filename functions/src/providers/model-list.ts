// A provider's model list: its built-in defaults, or a JSON list from the environment that
// replaces them (prices change faster than releases). Entries name their model without the
// provider prefix; the catalog adds it.
import { z } from 'zod';
import { Capability, describeIssues } from '@colonycraft/protocol';
import type { ModelInfo } from './provider.js';

export interface ModelDefaults {
  model: string;
  displayName: string;
  contextWindow: number;
  inputPrice: number;
  outputPrice: number;
  cachedInputPrice?: number;
  cacheWritePrice?: number;
  capabilities: readonly Capability[];
}

const ModelListEnv = z.array(
  z.object({
    model: z.string().min(1),
    displayName: z.string().min(1).optional(),
    contextWindow: z.number().int().positive().default(8192),
    inputPrice: z.number().nonnegative().default(0),
    outputPrice: z.number().nonnegative().default(0),
    cachedInputPrice: z.number().nonnegative().optional(),
    cacheWritePrice: z.number().nonnegative().optional(),
    /** Default: what the provider's models usually can (`capabilities` of `modelList`). */
    capabilities: z.array(Capability).optional(),
  }),
);

export function modelList(
  providerId: string,
  defaults: readonly ModelDefaults[],
  variable: string,
  raw: string | undefined,
  capabilities: readonly Capability[],
): ModelInfo[] {
  let models: readonly ModelDefaults[] = defaults;
  if (raw) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new Error(`${variable} is not valid JSON`);
    }
    const parsed = ModelListEnv.safeParse(json);
    if (!parsed.success)
      throw new Error(`${variable} is malformed: ${describeIssues(parsed.error)}`);
    models = parsed.data.map((m) => ({
      ...m,
      displayName: m.displayName ?? m.model,
      capabilities: m.capabilities ?? capabilities,
    }));
  }
  return models.map(({ model, ...rest }) => ({ id: `${providerId}/${model}`, ...rest }));
}
