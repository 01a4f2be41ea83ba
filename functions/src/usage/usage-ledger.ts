// The usage ledger: one record per call and the per-day aggregates that budget checks read.
// Aggregates only ever grow by `FieldValue.increment`, so concurrent calls from any number of
// instances add up without a read-modify-write that could lose an update.
//
// Layout, per principal (a uid or an API key id):
//   usage/{principal}/calls/{autoId}                    the UsageRecord as given
//   usage/{principal}/days/{yyyy-mm-dd}                 totals of that UTC day
//   usage/{principal}/days/{yyyy-mm-dd}/models/{key}    the same totals per model
import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import { UsageRecord, describeIssues, type ModelPrices, type Usage } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';

const TOKENS_PER_PRICE_UNIT = 1_000_000;

/** USD for `usage` at prices given per million tokens. */
export function costOf(
  usage: Pick<Usage, 'inputTokens' | 'outputTokens'>,
  prices: ModelPrices,
): number {
  // Sum before dividing: one rounding instead of two.
  return (
    (usage.inputTokens * prices.inputPrice + usage.outputTokens * prices.outputPrice) /
    TOKENS_PER_PRICE_UNIT
  );
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
 * Records one call. The record and both aggregates are written in one batch: either the call
 * counts everywhere or nowhere. Per-model totals live in their own documents rather than a
 * `models` map on the day document: the local Firestore emulator cannot increment a nested
 * field, and code here must run unchanged against it.
 */
export async function recordUsage(db: Firestore, record: UsageRecord): Promise<void> {
  const parsed = UsageRecord.safeParse(record);
  if (!parsed.success) {
    throw new GatewayError('invalid-argument', `usage record: ${describeIssues(parsed.error)}`);
  }
  const { uid, ...r } = parsed.data;
  const principal = db.collection('usage').doc(r.principal);
  const day = principal.collection('days').doc(usageDay(r.at));
  const totals = {
    calls: FieldValue.increment(1),
    inputTokens: FieldValue.increment(r.inputTokens),
    outputTokens: FieldValue.increment(r.outputTokens),
    costUsd: FieldValue.increment(r.costUsd),
  };

  const batch = db.batch();
  // Firestore refuses `undefined` fields; an absent uid is left out.
  batch.create(principal.collection('calls').doc(), {
    ...r,
    ...(uid === undefined ? {} : { uid }),
  });
  batch.set(
    day,
    { principal: r.principal, principalType: r.principalType, day: day.id, ...totals },
    { merge: true },
  );
  batch.set(
    day.collection('models').doc(modelKey(r.model)),
    { model: r.model, provider: r.provider, ...totals },
    { merge: true },
  );
  await batch.commit();
}
