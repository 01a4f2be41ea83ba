// The usage ledger: one record per call and the per-day aggregates that budget checks read.
// Aggregates only ever grow by `FieldValue.increment`, so concurrent calls from any number of
// instances add up without a read-modify-write that could lose an update.
//
// Layout, per principal (a uid or an API key id):
//   usage/{principal}/calls/{callId}                           the UsageRecord as given
//   usage/{principal}/days/{yyyy-mm-dd}/shards/{n}             totals of that UTC day, in part
//   usage/{principal}/days/{yyyy-mm-dd}/models/{key}~{n}       the same per model, in part
// Each call adds to shard n, one of USAGE_DAY_SHARDS picked at random, so that a busy
// principal's writes spread over that many documents; a day's totals are the sum of its
// shards (admin-api/src/data/usage-ledger.ts). The day document itself is never written.
// A record is created under its call's id, in the same batch as its increments, so a call
// written twice (by a drainer that died before acknowledging it) counts once.
import type { Firestore, WriteBatch } from 'firebase-admin/firestore';
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

/** A call's usage record and the call's id, which names the record: a call counts once. */
export interface LedgerEntry {
  callId: string;
  record: UsageRecord;
}

/** Firestore's ALREADY_EXISTS (gRPC status 6): a `create` found its document there. */
const ALREADY_EXISTS = 6;
const exists = (error: unknown): boolean =>
  (error as { code?: unknown } | undefined)?.code === ALREADY_EXISTS;

/**
 * Records one call, as `recordUsages` does; false when its id was recorded already.
 * A malformed record is refused, naming its fields, and nothing is written.
 */
export async function recordUsage(
  db: Firestore,
  record: UsageRecord,
  options: { callId?: string; shard?: number } = {},
): Promise<boolean> {
  const parsed = UsageRecord.safeParse(record);
  if (!parsed.success) {
    throw new GatewayError('invalid-argument', `usage record: ${describeIssues(parsed.error)}`);
  }
  const callId = options.callId ?? db.collection('usage').doc().id;
  return (await recordUsages(db, [{ callId, record: parsed.data }], options.shard)) === 1;
}

/**
 * Records calls already validated, in one batch: each record under its call id, and the day's
 * totals (in shard `shard`, random unless given) grown by theirs, summed per document first.
 * Either all of them count everywhere or none does. Call ids recorded already (a drainer that
 * wrote a batch and died before saying so) are read first and skipped; should one be recorded
 * meanwhile, the batch fails as a whole on its `create`, and is made again. Returns how many
 * were new.
 */
export async function recordUsages(
  db: Firestore,
  entries: readonly LedgerEntry[],
  shard = Math.floor(Math.random() * USAGE_DAY_SHARDS),
): Promise<number> {
  if (!Number.isInteger(shard) || shard < 0 || shard >= USAGE_DAY_SHARDS) {
    throw new RangeError(`shard: ${shard} is not a whole number from 0 to ${USAGE_DAY_SHARDS - 1}`);
  }
  // The same call twice in one batch (a settlement sent again) would fail it as a whole.
  let fresh = [...new Map(entries.map((e) => [e.callId, e])).values()];
  for (let attempt = 1; ; attempt++) {
    // One call alone needs no read: its `create` is the batch's first write.
    if (fresh.length > 1) {
      const known = await db.getAll(...fresh.map((e) => callDoc(db, e)));
      fresh = fresh.filter((_, i) => !known[i]!.exists);
    }
    if (fresh.length === 0) return 0;
    try {
      await batchOf(db, fresh, shard).commit();
      return fresh.length;
    } catch (error) {
      if (!exists(error)) throw error;
      if (fresh.length === 1) return 0;
      if (attempt === 3) throw error;
    }
  }
}

const callDoc = (db: Firestore, { callId, record }: LedgerEntry) =>
  db.doc(`usage/${record.principal}/calls/${callId}`);

/** A document of totals: what names it (principal, day; model, provider) and its sums. */
interface Aggregate {
  labels: Record<string, string>;
  sums: Record<string, number>;
}

function addTo(
  aggregates: Map<string, Aggregate>,
  path: string,
  labels: Record<string, string>,
  r: UsageRecord,
): void {
  let a = aggregates.get(path);
  if (!a) aggregates.set(path, (a = { labels, sums: {} }));
  const counts = { calls: 1, inputTokens: r.inputTokens, outputTokens: r.outputTokens };
  for (const [field, n] of Object.entries({ ...counts, costUsd: r.costUsd, ...usageDetails(r) }))
    a.sums[field] = (a.sums[field] ?? 0) + n;
}

function batchOf(db: Firestore, entries: readonly LedgerEntry[], shard: number): WriteBatch {
  const batch = db.batch();
  const aggregates = new Map<string, Aggregate>();
  for (const { callId, record } of entries) {
    const {
      uid,
      cachedInputTokens: _c,
      cacheWriteTokens: _w,
      reasoningTokens: _r,
      ...counts
    } = record;
    const principal = `usage/${record.principal}`;
    // Firestore refuses `undefined` fields; an absent uid is left out.
    batch.create(callDoc(db, { callId, record }), {
      ...counts,
      ...usageDetails(record),
      ...(uid === undefined ? {} : { uid }),
    });
    const day = usageDay(record.at);
    const { principalType, model, provider } = record;
    addTo(
      aggregates,
      `${principal}/days/${day}/shards/${shard}`,
      {
        principal: record.principal,
        principalType,
        day,
      },
      record,
    );
    addTo(
      aggregates,
      `${principal}/days/${day}/models/${usageShardId(modelKey(model), shard)}`,
      {
        model,
        provider,
      },
      record,
    );
  }
  const { increment } = firestoreSdk().FieldValue;
  for (const [path, { labels, sums }] of aggregates) {
    const grown = Object.fromEntries(Object.entries(sums).map(([f, n]) => [f, increment(n)]));
    batch.set(db.doc(path), { ...labels, ...grown }, { merge: true });
  }
  return batch;
}
