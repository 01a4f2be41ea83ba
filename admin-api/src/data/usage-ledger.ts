// Reads the daily usage aggregates the functions write (functions/src/usage/usage-ledger.ts):
//   usage/{principal}/days/{yyyy-mm-dd}                 calls, inputTokens, outputTokens, costUsd
//   usage/{principal}/days/{yyyy-mm-dd}/models/{key}    the same totals per model, plus `model`
// A range of days is a bounded list of document ids, so each principal costs one batched get of
// its day documents and one small query per day that has usage; no collection-group query,
// which the local emulator does not have.
import { z } from 'zod';
import type { DocumentSnapshot, Firestore } from 'firebase-admin/firestore';
import { describeIssues, type DayUsage, type ModelUsage } from '@colonycraft/protocol';
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
      const refs = days.map((day) => dayCollection.doc(day));
      const snapshots = await withTimeout(db.getAll(...refs), timeoutMs, 'usage read');
      const present = snapshots.filter((s) => s.exists);
      return Promise.all(
        present.map(async (snapshot) => {
          const totals = parseDoc(Totals, snapshot);
          const models = await withTimeout(
            snapshot.ref.collection('models').get(),
            timeoutMs,
            'usage read',
          );
          return {
            day: snapshot.id,
            ...totals,
            models: models.docs.map((doc) => parseDoc(ModelDoc, doc)).sort(byCostThenName),
          };
        }),
      );
    },
  };
}
