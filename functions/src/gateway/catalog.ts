// The model catalog: which providers are configured here and their models, plus aliases that
// name fallback chains. Resolving a requested model id yields the ordered targets to try.
import { z } from 'zod';
import { describeIssues, splitModelId } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import type { ModelInfo, Provider } from '../providers/provider.js';
import { readProviderKey } from '../providers/provider-keys.js';
import type { ProviderEntry } from '../providers/registry-types.js';
import type { Target } from './execute.js';

export interface Catalog {
  providers: ReadonlyMap<string, Provider>;
  models: ReadonlyMap<string, ModelInfo>;
  aliases: ReadonlyMap<string, readonly string[]>;
}

const Aliases = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  z.array(z.string().min(1)).min(1),
);

/** `MODEL_ALIASES`, e.g. `{"smart": ["anthropic/claude-sonnet-4-5", "openai/gpt-4.1"]}`. */
export function parseAliases(raw: string | undefined): Map<string, string[]> {
  if (!raw) return new Map();
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('MODEL_ALIASES is not valid JSON');
  }
  const parsed = Aliases.safeParse(json);
  if (!parsed.success)
    throw new Error(`MODEL_ALIASES is malformed: ${describeIssues(parsed.error)}`);
  return new Map(Object.entries(parsed.data));
}

/** Loads each entry that is configured in `env`; the others are simply not in the catalog. */
export async function loadCatalog(
  entries: readonly ProviderEntry[],
  env: NodeJS.ProcessEnv,
): Promise<Catalog> {
  // Keys are read in parallel: from Secret Manager each read is a round trip.
  const loaded = await Promise.all(
    entries.map(async (entry) => {
      const apiKey = entry.secretName ? await readProviderKey(entry.secretName, env) : undefined;
      return { id: entry.id, provider: await entry.load(env, apiKey) };
    }),
  );
  const providers = new Map<string, Provider>();
  const models = new Map<string, ModelInfo>();
  for (const { id, provider } of loaded) {
    if (!provider) continue;
    providers.set(id, provider);
    for (const model of provider.models) models.set(model.id, model);
  }
  return { providers, models, aliases: parseAliases(env.MODEL_ALIASES) };
}

/**
 * The targets for a requested model: the model itself, or an alias's chain with the entries
 * that are not configured here left out. Unknown names are refused naming the field.
 */
export function resolveTargets(catalog: Catalog, requested: string): Target[] {
  const ids = catalog.aliases.get(requested) ?? [requested];
  const targets = ids.flatMap((id): Target[] => {
    const info = catalog.models.get(id);
    if (!info) return [];
    const { provider, model } = splitModelId(id);
    return [{ id, provider, model, info }];
  });
  if (targets.length === 0) {
    throw new GatewayError(
      'invalid-argument',
      catalog.aliases.has(requested)
        ? `model: none of the models behind "${requested}" is configured here`
        : `model: "${requested}" is not a model here; listModels names the ones there are`,
    );
  }
  return targets;
}
