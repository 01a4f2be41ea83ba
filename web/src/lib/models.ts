// The model picker's logic: the catalog grouped by provider with aliases last, each option
// described by its context window and prices, and which model to select (the remembered one
// when it is still offered).
import type { CatalogAlias, CatalogModel, ListModelsResponse } from '@colonycraft/protocol';
import type { KeyValueStore } from './storage.ts';

export interface ModelOption {
  id: string;
  /** What the option shows: name, context window and prices. */
  label: string;
}

export interface ModelGroup {
  label: string;
  options: ModelOption[];
}

export const ALIASES_GROUP = 'Aliases (fall back across models)';
export const MODEL_KEY = 'colonycraft.model';

/**
 * `8K`, `128K`, `1M`, `1.5M` tokens. Context windows come in binary (8192, 131072) and decimal
 * (128000, 200000) sizes; either way people call them by the round number.
 */
export function formatTokens(count: number): string {
  const binary = count % 1000 !== 0 && count % 1024 === 0;
  const mega = binary ? 1_048_576 : 1_000_000;
  const kilo = binary ? 1024 : 1000;
  if (count >= mega) return `${trimDecimal(count / mega)}M`;
  if (count >= kilo) return `${trimDecimal(count / kilo)}K`;
  return String(count);
}

function trimDecimal(value: number): string {
  return value >= 100 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
}

/** USD per million tokens: `free`, `$0.15`, `$2.50`, `$15`. */
export function formatPrice(usdPerMillion: number): string {
  if (usdPerMillion === 0) return 'free';
  if (usdPerMillion >= 10 && Number.isInteger(usdPerMillion)) return `$${usdPerMillion}`;
  return `$${usdPerMillion.toFixed(usdPerMillion < 0.1 ? 3 : 2)}`;
}

/** "8K context · free" or "128K context · $2.50 in / $10 out per 1M tokens". */
export function describeModel(model: CatalogModel): string {
  const context = `${formatTokens(model.contextWindow)} context`;
  if (model.inputPrice === 0 && model.outputPrice === 0) return `${context} · free`;
  return `${context} · ${formatPrice(model.inputPrice)} in / ${formatPrice(model.outputPrice)} out per 1M tokens`;
}

function describeAlias(alias: CatalogAlias): string {
  return `${alias.id} → ${alias.targets.join(', ')}`;
}

/** The catalog a chat offers: embeddings models answer no chat, so they are left out. */
export function chatCatalog(catalog: ListModelsResponse): ListModelsResponse {
  return {
    ...catalog,
    models: catalog.models.filter((m) => !m.capabilities.includes('embeddings')),
  };
}

/** Providers in the order the catalog first names them; aliases in a group of their own, last. */
export function groupModels(catalog: ListModelsResponse): ModelGroup[] {
  const groups = new Map<string, ModelGroup>();
  for (const model of catalog.models) {
    let group = groups.get(model.provider);
    if (!group) {
      group = { label: model.providerName, options: [] };
      groups.set(model.provider, group);
    }
    group.options.push({ id: model.id, label: `${model.displayName} — ${describeModel(model)}` });
  }
  const result = [...groups.values()];
  if (catalog.aliases.length > 0) {
    result.push({
      label: ALIASES_GROUP,
      options: catalog.aliases.map((alias) => ({ id: alias.id, label: describeAlias(alias) })),
    });
  }
  return result;
}

export function isOffered(catalog: ListModelsResponse, id: string | null | undefined): boolean {
  if (!id) return false;
  return catalog.models.some((m) => m.id === id) || catalog.aliases.some((a) => a.id === id);
}

/** The remembered model if it is still offered, else the catalog's first model or alias. */
export function chooseModel(
  catalog: ListModelsResponse,
  remembered: string | null | undefined,
): string | undefined {
  if (isOffered(catalog, remembered)) return remembered ?? undefined;
  return catalog.models[0]?.id ?? catalog.aliases[0]?.id;
}

/** One line about the chosen model, for under the picker. */
export function summarizeChoice(catalog: ListModelsResponse, id: string): string | undefined {
  const model = catalog.models.find((m) => m.id === id);
  if (model) return `${model.providerName} · ${describeModel(model)}`;
  const alias = catalog.aliases.find((a) => a.id === id);
  return alias ? `Tries ${alias.targets.join(', then ')}` : undefined;
}

export function readRememberedModel(store: KeyValueStore): string | null {
  return store.get(MODEL_KEY);
}

export function rememberModel(store: KeyValueStore, id: string): void {
  store.set(MODEL_KEY, id);
}

/**
 * Whether the model (or an alias, through any of its targets: one without vision is skipped)
 * takes images: only then does the chat offer to attach them.
 */
export function takesImages(catalog: ListModelsResponse | undefined, id: string | undefined) {
  if (!catalog || !id) return false;
  const vision = (modelId: string) =>
    catalog.models.find((m) => m.id === modelId)?.capabilities.includes('vision') ?? false;
  const alias = catalog.aliases.find((a) => a.id === id);
  return alias ? alias.targets.some(vision) : vision(id);
}
