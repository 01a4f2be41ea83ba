// The model catalog as clients see it: what `listModels` and `GET /v1/models` serve.
import { z } from 'zod';
import { ModelId } from './chat.js';
import { WithClientToken } from './token.js';

/**
 * What a model can do beyond text in and text out. A request that needs a capability its model
 * lacks is refused, naming both, before any provider is called.
 */
export const Capability = z.enum(['tools', 'vision', 'json-schema', 'reasoning', 'embeddings']);
export type Capability = z.infer<typeof Capability>;

export const CatalogModel = z.object({
  id: ModelId,
  provider: z.string(),
  providerName: z.string(),
  displayName: z.string(),
  contextWindow: z.number().int().positive(),
  /** USD per million tokens. */
  inputPrice: z.number().nonnegative(),
  outputPrice: z.number().nonnegative(),
  /** Input read from the prompt cache; the input price when unset. */
  cachedInputPrice: z.number().nonnegative().optional(),
  /** Input written to the prompt cache; the input price when unset. */
  cacheWritePrice: z.number().nonnegative().optional(),
  capabilities: z.array(Capability),
});
export type CatalogModel = z.infer<typeof CatalogModel>;

export const CatalogAlias = z.object({
  id: z.string(),
  /** The models it tries, in order; only those configured here. */
  targets: z.array(ModelId).min(1),
});
export type CatalogAlias = z.infer<typeof CatalogAlias>;

export const ListModelsRequest = WithClientToken;
export type ListModelsRequest = z.infer<typeof ListModelsRequest>;

export const ListModelsResponse = z.object({
  models: z.array(CatalogModel),
  aliases: z.array(CatalogAlias),
});
export type ListModelsResponse = z.infer<typeof ListModelsResponse>;
