// The usage ledger: one record per call and the per-day aggregates that budget checks read.
// Aggregates only ever grow by `FieldValue.increment`, so concurrent calls from any number of
// instances add up without a read-modify-write that could lose an update.
//
// Layout, per principal (a uid or an API key id):
//   usage/{principal}/calls/{autoId}                           the UsageRecord as given
//   usage/{principal}/days/{yyyy-mm-dd}/shards/{n}             totals of that UTC day, in part
//   usage/{principal}/days/{yyyy-mm-dd}/models/{key}~{n}       the same per model, in part
// Each call adds to shard n, one of USAGE_DAY_SHARDS picked at random, so that a busy
// principal's writes spread over that many documents; a day's totals are the sum of its
// shards (admin-api/src/data/usage-ledger.ts). The day document itself is never written.
import type { Firestore } from 'firebase-admin/firestore';
import { firestoreSdk } from '../firebase.js';
import {
  USAGE_DAY_SHARDS,
  UsageRecord,
  describeIssues,
  usageShardId,
  type ModelPrices,
  type Usage,
} from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';

const TOKENS_PER_PRICE_UNIT = 1_000_000;

/**
 * USD for `usage` at prices given per million tokens: input read from or written to the
 * prompt cache at its own price (the input price where the model has none), the rest of the
 * input at the input price, all output (reasoning included) at the output price.
 */
export function costOf(
  usage: Pick<Usage, 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'cacheWriteTokens'>,
  prices: ModelPrices,
): number {
  const cached = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  const uncached = Math.max(0, usage.inputTokens - cached - written);
  // Sum before dividing: one rounding instead of two.
  return (
    (uncached * prices.inputPrice +
      cached * (prices.cachedInputPrice ?? prices.inputPrice) +
      written * (prices.cacheWritePrice ?? prices.inputPrice) +
      usage.outputTokens * prices.outputPrice) /
    TOKENS_PER_PRICE_UNIT
  );
}

/** The usage details worth a field: those the call had, so no record holds an `undefined`. */
export function usageDetails(
  usage: Pick<Usage, 'cachedInputTokens' | 'cacheWriteTokens' | 'reasoningTokens'>,
): Pick<Usage, 'cachedInputTokens' | 'cacheWriteTokens' | 'reasoningTokens'> {
  const { cachedInputTokens, cacheWriteTokens, reasoningTokens } = usage;
  return {
    ...(cachedInputTokens ? { cachedInputTokens } : {}),
    ...(cacheWriteTokens ? { cacheWriteTokens } : {}),
    ...(reasoningTokens ? { reasoningTokens } : {}),
  };
}

/** The UTC day of `at` (ms since the epoch), as the aggregate's document id. */
export function usageDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/**
 * A model id as a Firestore document id or map key. Ids hold `/` (and may hold `.`), which
 * both forbid; percent-encoding those and `%` itself keeps the key reversible and readable:
 * `openai/gpt-4.1` → `openai%2Fgpt-4%2E1`.
 */
export function modelKey(modelId: string): string {
  return modelId.replace(/[%/.]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Records one call. The record and both aggregates (in shard `shard`, random unless given) are
 * written in one batch: either the call counts everywhere or nowhere. Per-model totals live in their own documents rather than a
 * `models` map on the day document: the local Firestore emulator cannot increment a nested
 * field, and code here must run unchanged against it.
 */
export async function recordUsage(
  db: Firestore,
  record: UsageRecord,
  shard = Math.floor(Math.random() * USAGE_DAY_SHARDS),
): Promise<void> {
  if (!Number.isInteger(shard) || shard < 0 || shard >= USAGE_DAY_SHARDS) {
    throw new RangeError(`shard: ${shard} is not a whole number from 0 to ${USAGE_DAY_SHARDS - 1}`);
  }
  const parsed = UsageRecord.safeParse(record);
  if (!parsed.success) {
    throw new GatewayError('invalid-argument', `usage record: ${describeIssues(parsed.error)}`);
  }
  const { uid, ...r } = parsed.data;
  const { increment } = firestoreSdk().FieldValue;
  const principal = db.collection('usage').doc(r.principal);
  const day = principal.collection('days').doc(usageDay(r.at));
  const totals = {
    calls: increment(1),
    inputTokens: increment(r.inputTokens),
    outputTokens: increment(r.outputTokens),
    costUsd: increment(r.costUsd),
    ...Object.fromEntries(
      Object.entries(usageDetails(r)).map(([field, n]) => [field, increment(n)]),
    ),
  };

  const batch = db.batch();
  // Firestore refuses `undefined` fields; an absent uid is left out.
  const { cachedInputTokens: _c, cacheWriteTokens: _w, reasoningTokens: _r, ...counts } = r;
  batch.create(principal.collection('calls').doc(), {
    ...counts,
    ...usageDetails(r),
    ...(uid === undefined ? {} : { uid }),
  });
  batch.set(
    day.collection('shards').doc(String(shard)),
    { principal: r.principal, principalType: r.principalType, day: day.id, ...totals },
    { merge: true },
  );
  batch.set(
    day.collection('models').doc(usageShardId(modelKey(r.model), shard)),
    { model: r.model, provider: r.provider, ...totals },
    { merge: true },
  );
  await batch.commit();
}
