// The usage ledger against a real Firestore emulator: call records, the day aggregates that
// budget checks read, and increments that hold up under concurrent calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { USAGE_DAY_SHARDS, type UsageRecord } from '@colonycraft/protocol';
import { startFirestoreEmulator, type FirestoreEmulator } from '@colonycraft/testing';
import { costOf, modelKey, recordUsage, recordUsages, usageDay } from './usage-ledger.js';

let emulator: FirestoreEmulator;
let app: App;
let db: Firestore;

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  app = initializeApp({ projectId: 'demo-colonycraft' }, `ledger-${randomUUID()}`);
  db = getFirestore(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await emulator?.stop();
});

// 2025-03-04T23:59:59.000Z: a second before midnight UTC.
const LATE = Date.UTC(2025, 2, 4, 23, 59, 59);

function record(principal: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    principal,
    principalType: 'user',
    model: 'openai/gpt-4.1-mini',
    provider: 'openai',
    inputTokens: 100,
    outputTokens: 50,
    estimated: false,
    costUsd: 0.25,
    latencyMs: 300,
    status: 'ok',
    at: LATE,
    ...overrides,
  };
}

const TOTALS = ['calls', 'inputTokens', 'outputTokens', 'costUsd'] as const;
type Totals = Record<(typeof TOTALS)[number], number>;

function add(sum: Totals | undefined, data: FirebaseFirestore.DocumentData): Totals {
  return Object.fromEntries(
    TOTALS.map((k) => [k, (sum?.[k] ?? 0) + (data[k] as number)]),
  ) as Totals;
}

/** A day's totals: the sum of its shards, or undefined when it has none. */
async function dayTotals(principal: string, day: string): Promise<Totals | undefined> {
  const shards = await db.collection(`usage/${principal}/days/${day}/shards`).get();
  return shards.docs.reduce<Totals | undefined>((sum, d) => add(sum, d.data()), undefined);
}

/** A day's totals per model id, summed over the shards. */
async function modelTotals(principal: string, day: string): Promise<Record<string, Totals>> {
  const docs = await db.collection(`usage/${principal}/days/${day}/models`).get();
  const sums: Record<string, Totals> = {};
  for (const d of docs.docs) sums[d.get('model') as string] = add(sums[d.get('model')], d.data());
  return sums;
}

describe('recordUsage', () => {
  it('when three calls are recorded, then each has its record and the day holds their exact sums', async () => {
    const principal = `u-${randomUUID()}`;
    await recordUsage(db, record(principal));
    await recordUsage(
      db,
      record(principal, { model: 'local/echo', provider: 'local', inputTokens: 7, costUsd: 0 }),
    );
    await recordUsage(
      db,
      record(principal, { status: 'cancelled', outputTokens: 3, costUsd: 0.125, at: LATE - 5 }),
    );

    const calls = await db.collection(`usage/${principal}/calls`).orderBy('at').get();
    expect(calls.docs.map((d) => d.data())).toEqual([
      record(principal, { status: 'cancelled', outputTokens: 3, costUsd: 0.125, at: LATE - 5 }),
      record(principal),
      record(principal, { model: 'local/echo', provider: 'local', inputTokens: 7, costUsd: 0 }),
    ]);

    expect(await dayTotals(principal, '2025-03-04')).toEqual({
      calls: 3,
      inputTokens: 207,
      outputTokens: 103,
      costUsd: 0.375,
    });
    const shards = await db.collection(`usage/${principal}/days/2025-03-04/shards`).get();
    for (const shard of shards.docs) {
      expect(Number(shard.id)).toBeLessThan(USAGE_DAY_SHARDS);
      expect(shard.data()).toMatchObject({ principal, principalType: 'user', day: '2025-03-04' });
    }
    expect(await modelTotals(principal, '2025-03-04')).toEqual({
      'openai/gpt-4.1-mini': { calls: 2, inputTokens: 200, outputTokens: 53, costUsd: 0.375 },
      'local/echo': { calls: 1, inputTokens: 7, outputTokens: 50, costUsd: 0 },
    });
    const models = await db.collection(`usage/${principal}/days/2025-03-04/models`).get();
    for (const model of models.docs) {
      expect(model.id).toMatch(/^(openai%2Fgpt-4%2E1-mini|local%2Fecho)~\d$/);
      expect(model.get('provider')).toBe(model.get('model').split('/')[0]);
    }
  });

  it('when a call lands a second after midnight UTC, then it counts toward the next day', async () => {
    const principal = `u-${randomUUID()}`;
    await recordUsage(db, record(principal));
    await recordUsage(db, record(principal, { at: LATE + 1000 }));
    expect((await dayTotals(principal, '2025-03-04'))?.calls).toBe(1);
    expect((await dayTotals(principal, '2025-03-05'))?.calls).toBe(1);
  });

  it('when fifty calls are recorded at once over every shard, then no increment is lost', async () => {
    const principal = `k-${randomUUID()}`;
    await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        recordUsage(
          db,
          record(principal, { principalType: 'apiKey', uid: 'owner-1', inputTokens: n }),
          { shard: n % USAGE_DAY_SHARDS },
        ),
      ),
    );
    const shards = await db.collection(`usage/${principal}/days/2025-03-04/shards`).get();
    expect(shards.size).toBe(USAGE_DAY_SHARDS);
    // 0 + 1 + … + 49 = 1225; 50 × 0.25 = 12.5 is exact in binary floating point.
    expect(await dayTotals(principal, '2025-03-04')).toEqual({
      calls: 50,
      inputTokens: 1225,
      outputTokens: 2500,
      costUsd: 12.5,
    });
    const calls = await db.collection(`usage/${principal}/calls`).get();
    expect(calls.size).toBe(50);
    expect(calls.docs[0]?.data()).toMatchObject({ principalType: 'apiKey', uid: 'owner-1' });
  });

  it('when the record is malformed, then nothing is written and the fields are named', async () => {
    const principal = `u-${randomUUID()}`;
    await expect(
      recordUsage(db, record(principal, { inputTokens: -1, model: 'no-provider' })),
    ).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringMatching(/model: .*inputTokens: |inputTokens: .*model: /),
    });
    expect((await db.collection(`usage/${principal}/calls`).get()).size).toBe(0);
    expect(await dayTotals(principal, '2025-03-04')).toBeUndefined();
  });

  it('when the shard is outside 0 to USAGE_DAY_SHARDS - 1, then nothing is written and it says so', async () => {
    const principal = `u-${randomUUID()}`;
    for (const shard of [-1, USAGE_DAY_SHARDS, 1.5]) {
      await expect(recordUsage(db, record(principal), { shard })).rejects.toThrow(/^shard: /);
    }
    expect((await db.collection(`usage/${principal}/calls`).get()).size).toBe(0);
  });

  it('when a call id is recorded twice, alone or in a batch with new ones, then it counts once and the new ones count', async () => {
    const principal = `k-${randomUUID()}`;
    const callId = randomUUID();
    expect(await recordUsage(db, record(principal), { callId })).toBe(true);
    expect(await recordUsage(db, record(principal), { callId })).toBe(false);
    const fresh = [randomUUID(), randomUUID()].map((id) => ({
      callId: id,
      record: record(principal),
    }));
    // The known call in the middle of the batch, and a new one named twice.
    const batch = [fresh[0]!, { callId, record: record(principal) }, fresh[1]!, fresh[1]!];
    expect(await recordUsages(db, batch)).toBe(2);
    expect(await recordUsages(db, batch)).toBe(0);
    const calls = await db.collection(`usage/${principal}/calls`).get();
    expect(calls.docs.map((d) => d.id).sort()).toEqual(
      [callId, ...fresh.map((e) => e.callId)].sort(),
    );
    expect(await dayTotals(principal, '2025-03-04')).toEqual({
      calls: 3,
      inputTokens: 300,
      outputTokens: 150,
      costUsd: 0.75,
    });
  });

  it('when the principal holds a slash, then it is refused rather than written elsewhere', async () => {
    await expect(recordUsage(db, record('a/b'))).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringContaining('principal:'),
    });
  });
});

describe('costOf', () => {
  it('when prices are per million tokens, then the cost is tokens times price over a million', () => {
    expect(
      costOf({ inputTokens: 1_000_000, outputTokens: 500_000 }, { inputPrice: 3, outputPrice: 15 }),
    ).toBe(10.5);
    expect(
      costOf({ inputTokens: 1234, outputTokens: 567 }, { inputPrice: 0.15, outputPrice: 0.6 }),
    ).toBeCloseTo(0.0005253, 12);
    expect(costOf({ inputTokens: 0, outputTokens: 0 }, { inputPrice: 3, outputPrice: 15 })).toBe(0);
  });
});

describe('keys', () => {
  it('when a model id holds slashes, dots and percent signs, then its key holds none of / or . and stays distinct', () => {
    const ids = ['compatible/meta-llama/Llama-3.1-8b', 'a/b.c', 'a/b%2Ec', 'a/b%2Fc', 'a/b/c'];
    const keys = ids.map(modelKey);
    for (const key of keys) expect(key).not.toMatch(/[/.]/);
    expect(new Set(keys).size).toBe(ids.length);
    expect(keys.map(decodeURIComponent)).toEqual(ids);
  });

  it('when the time is just before midnight UTC, then the day is that date', () => {
    expect(usageDay(LATE)).toBe('2025-03-04');
    expect(usageDay(LATE + 1000)).toBe('2025-03-05');
  });
});
