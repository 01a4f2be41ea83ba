// One metered call, as the usage ledger records it. The daily aggregates built from these
// records are what budget checks and usage reports read.
import { z } from 'zod';
import { ModelId } from './chat.js';

export const PrincipalType = z.enum(['user', 'apiKey']);
export type PrincipalType = z.infer<typeof PrincipalType>;

export const UsageStatus = z.enum(['ok', 'error', 'cancelled', 'incomplete']);
export type UsageStatus = z.infer<typeof UsageStatus>;

export const UsageRecord = z.object({
  /** Who is billed: a uid or an API key's id. It names a Firestore document, hence no `/`. */
  principal: z
    .string()
    .regex(/^[^/_.][^/]{0,127}$/, 'must be a uid or an API key id (no "/", 1 to 128 characters)'),
  principalType: PrincipalType,
  /** The user behind the call, when the principal is an API key. */
  uid: z.string().min(1).optional(),
  model: ModelId,
  provider: z.string().min(1),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** Of the input, read from the provider's prompt cache (see Usage). */
  cachedInputTokens: z.number().int().nonnegative().optional(),
  /** Of the input, written to the provider's prompt cache. */
  cacheWriteTokens: z.number().int().nonnegative().optional(),
  /** Of the output, spent on reasoning. */
  reasoningTokens: z.number().int().nonnegative().optional(),
  /** True when the provider sent no usage and the tokens were counted locally. */
  estimated: z.boolean(),
  costUsd: z.number().nonnegative(),
  latencyMs: z.number().int().nonnegative(),
  status: UsageStatus,
  /** Milliseconds since the epoch; its UTC date picks the day aggregate. */
  at: z.number().int().nonnegative(),
});
export type UsageRecord = z.infer<typeof UsageRecord>;

/** Prices in USD per million tokens. */
export const ModelPrices = z.object({
  inputPrice: z.number().nonnegative(),
  outputPrice: z.number().nonnegative(),
  /** Input read from the prompt cache; `inputPrice` when unset. */
  cachedInputPrice: z.number().nonnegative().optional(),
  /** Input written to the prompt cache; `inputPrice` when unset. */
  cacheWritePrice: z.number().nonnegative().optional(),
});
export type ModelPrices = z.infer<typeof ModelPrices>;

/**
 * A principal's totals of one day are spread over this many shard documents, a call adding to
 * one picked at random: Firestore sustains about one write a second to any one document, and
 * a program behind one API key makes many more calls than that. Readers sum the shards.
 */
export const USAGE_DAY_SHARDS = 10;

/** The id of a day's shard `shard` of the totals of `key` (a model's key): `{key}~{shard}`. */
export const usageShardId = (key: string, shard: number): string => `${key}~${shard}`;
