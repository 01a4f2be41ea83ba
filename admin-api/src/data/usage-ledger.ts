// Reads the daily usage aggregates the functions write (functions/src/usage/usage-ledger.ts),
// each day spread over USAGE_DAY_SHARDS shards that are summed here:
//   usage/{principal}/days/{yyyy-mm-dd}/shards/{n}         calls, inputTokens, outputTokens, costUsd
//   usage/{principal}/days/{yyyy-mm-dd}/models/{key}~{n}   the same totals per model, plus `model`
// A range of days is a bounded list of document ids, so each principal costs one batched get of
// its days' shards and one small query per day that has usage; no collection-group query,
// which the local emulator does not have.
import { z } from 'zod';
import type { DocumentSnapshot, Firestore } from 'firebase-admin/firestore';
import {
  NO_USAGE,
  USAGE_DAY_SHARDS,
  addUsage,
  describeIssues,
  type DayUsage,
  type ModelUsage,
  type UsageTotals,
} from '@colonycraft/protocol';
import { withTimeout } from './key-projection.js';

export const USAGE_COLLECTION = 'usage';

export interface UsageLedger {
  /** The aggregates of `principal` for those of `days` that have any, in the order given. */
  days(principal: string, days: readonly string[]): Promise<DayUsage[]>;
}

// The counters are written by `FieldValue.increment` only; a document holds all four or, if a
// future writer leaves one out, zero for it. Anything else is a broken document: an error.
const count = z.number().int().nonnegative().default(0);
const Totals = z.object({
  calls: count,
  inputTokens: count,
  outputTokens: count,
  costUsd: z.number().nonnegative().default(0),
});
const ModelDoc = Totals.extend({ model: z.string().min(1) });

/** A usage document that does not hold what the functions write: a bug, not an outage. */
export class MalformedUsage extends Error {
  override readonly name = 'MalformedUsage';
}

function parseDoc<S extends z.ZodType>(schema: S, doc: DocumentSnapshot): z.output<S> {
  const parsed = schema.safeParse(doc.data());
  if (!parsed.success) {
    throw new MalformedUsage(`usage document ${doc.ref.path}: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

const byCostThenName = (a: ModelUsage, b: ModelUsage) =>
  b.costUsd - a.costUsd || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0);

export function firestoreUsageLedger(db: Firestore, timeoutMs: number): UsageLedger {
  return {
    async days(principal, days) {
      if (days.length === 0) return [];
      const dayCollection = db.collection(USAGE_COLLECTION).doc(principal).collection('days');
      const refs = days.flatMap((day) =>
        Array.from({ length: USAGE_DAY_SHARDS }, (_, n) =>
          dayCollection.doc(day).collection('shards').doc(String(n)),
        ),
      );
      const snapshots = await withTimeout(db.getAll(...refs), timeoutMs, 'usage read');
      const present = days.flatMap((day, i) => {
        const written = snapshots
          .slice(i * USAGE_DAY_SHARDS, (i + 1) * USAGE_DAY_SHARDS)
          .filter((s) => s.exists);
        return written.length ? [{ day, shards: written }] : [];
      });
      return Promise.all(
        present.map(async ({ day, shards }) => {
          const models = await withTimeout(
            dayCollection.doc(day).collection('models').get(),
            timeoutMs,
            'usage read',
          );
          const perModel = new Map<string, UsageTotals>();
          for (const doc of models.docs) {
            const { model, ...totals } = parseDoc(ModelDoc, doc);
            perModel.set(model, addUsage(perModel.get(model) ?? NO_USAGE, totals));
          }
          return {
            day,
            ...shards.map((s) => parseDoc(Totals, s)).reduce(addUsage, NO_USAGE),
            models: [...perModel]
              .map(([model, totals]) => ({ model, ...totals }))
              .sort(byCostThenName),
          };
        }),
      );
    },
  };
}
