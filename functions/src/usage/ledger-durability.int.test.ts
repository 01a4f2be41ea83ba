// The usage ledger's promise, tested with real processes: a call's record is never lost
// across a Redis restart (persistence on), a Firestore outage, or a gateway that dies right
// after answering, and it counts once. Gateways here host /v1 as Cloud Run does, on a Redis of
// their own (append-only file, fsync always) and a Firestore emulator that is stopped and
// started again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  startFirestoreEmulator,
  startRedisServer,
  type FirestoreEmulator,
  type RedisServer,
} from '@colonycraft/testing';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';
import { dailySpendMicroUsd } from '../dev/limits/budget-spend.js';
import { usdToMicro } from '../limits/limits-config.js';
import { ledgerStreams } from '../limits/redis-store.js';
import { LedgerDrainer } from './ledger-drain.js';

/** Every wait here is bounded; the gateway's own deadlines are far shorter. */
const ANSWER_WITHIN_MS = 10_000;
const RATE_TIERS = JSON.stringify({
  standard: {
    requests: { capacity: 1_000, refillPerMinute: 1_000 },
    tokens: { capacity: 1e9, refillPerMinute: 1e9 },
    dailyBudgetUsd: 10,
    monthlyBudgetUsd: null,
  },
});

let redis: RedisServer;
let firestore: FirestoreEmulator;
let direct: Redis;
/** Drains as soon as it has settled, as every instance does. */
let drains: GatewayFixture;
/** Never drains during a test: its records wait in Redis, as an instance that died left them. */
let holds: GatewayFixture;
const heldPrefix = `cc:rl:ledger:held-${randomUUID()}:`;

beforeAll(async () => {
  redis = await startRedisServer({ persistent: true });
  firestore = await startFirestoreEmulator();
  const env = { REDIS_URL: redis.url, RATE_TIERS, GATEWAY_STORE_TIMEOUT_MS: '1000' };
  [drains, holds] = await Promise.all([
    startGatewayFixture(env, { firestoreHost: firestore.host }),
    startGatewayFixture(
      { ...env, USAGE_LEDGER_PREFIX: heldPrefix, USAGE_LEDGER_GATHER_MS: '600000' },
      { firestoreHost: firestore.host },
    ),
  ]);
  direct = new Redis(redis.url);
});

afterAll(async () => {
  direct?.disconnect();
  await Promise.all([drains?.stop(), holds?.stop()]);
  await firestore?.stop();
  await redis?.stop();
});

const post = async (gw: GatewayFixture, sub: string) =>
  fetch(`${gw.url}v1/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await gw.token({ sub })}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      model: 'openai/gpt-stub',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'hello' }],
    }),
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });

const chat = async (gw: GatewayFixture, sub: string) => {
  const res = await post(gw, sub);
  expect(res.status).toBe(200);
  return (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
};

/** The records waiting in the held gateway's ledger, over all its streams. */
async function held(): Promise<number> {
  const lengths = await Promise.all(ledgerStreams(heldPrefix).map((key) => direct.xlen(key)));
  return lengths.reduce((a, b) => a + b, 0);
}

/** Calls until one is admitted (a gateway reconnecting to Redis refuses meanwhile). */
async function untilAdmitted(gw: GatewayFixture, sub: string): Promise<void> {
  const deadline = Date.now() + ANSWER_WITHIN_MS;
  for (;;) {
    const res = await post(gw, sub);
    if (res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`still ${res.status} after ${ANSWER_WITHIN_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the scheduled `drainUsageLedger` does, on the held gateway's stream. */
const sweep = () =>
  new LedgerDrainer(direct, () => holds.db, {
    prefix: heldPrefix,
    consumer: `scheduled-${randomUUID()}`,
    timeoutMs: 2_000,
  }).sweep();

/** The day's totals the usage pages read, summed over the shards. */
async function dayTotals(gw: GatewayFixture, principal: string) {
  const day = new Date().toISOString().slice(0, 10);
  const shards = await gw.db.collection(`usage/${principal}/days/${day}/shards`).get();
  let [calls, costUsd] = [0, 0];
  for (const d of shards.docs)
    [calls, costUsd] = [calls + d.get('calls'), costUsd + d.get('costUsd')];
  return { calls, costUsd };
}

describe('the usage ledger', () => {
  it('when Redis is killed and started again after an answer, then its record is still there, drained once, and matches the budget', async () => {
    const sub = `restart-${randomUUID()}`;
    const { usage } = await chat(holds, sub);
    expect(await held()).toBe(1);
    await redis.kill();
    await redis.start();
    await direct.ping(); // reconnected
    expect(await held()).toBe(1);

    expect(await sweep()).toBe(1);
    const [record] = await holds.records(sub);
    expect(record).toMatchObject({
      principal: sub,
      inputTokens: usage.prompt_tokens,
      outputTokens: usage.completion_tokens,
      status: 'ok',
    });
    expect(await dailySpendMicroUsd(`user:${sub}`, redis.url)).toBe(usdToMicro(record!.costUsd));
    expect(await held()).toBe(0);
  });

  it('when the gateway dies right after answering, then another drainer writes its records, and a second drain adds nothing', async () => {
    // The gateway is back on the restarted Redis once it admits a call again.
    const subs = [`died-${randomUUID()}`, `died-${randomUUID()}`];
    await untilAdmitted(holds, subs[0]!);
    await chat(holds, subs[1]!);
    holds.server.process.kill('SIGKILL');
    expect(await held()).toBe(2);

    expect(await sweep()).toBe(2);
    expect(await sweep()).toBe(0);
    for (const sub of subs) {
      expect(await holds.records(sub)).toHaveLength(1);
      expect((await dayTotals(holds, sub)).calls).toBe(1);
    }
  });

  it('when Firestore is away, then answers do not wait for it, and every record arrives once it is back', async () => {
    const sub = `outage-${randomUUID()}`;
    const port = Number(firestore.host.split(':')[1]);
    await firestore.stop();
    const started = Date.now();
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await chat(drains, sub));
    // Each answer's wait is the provider's, not Firestore's deadline (1 s) nor its retries.
    expect(Date.now() - started).toBeLessThan(5 * 1_000);
    // The drains the gateway tried meanwhile failed; the records wait in Redis.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    firestore = await startFirestoreEmulator(port);

    // The gateway retries its drain 1 s, 2 s, 4 s… after each failure: within 20 s of Firestore
    // coming back, however its client reconnects.
    const records = await drains.records(sub, 5, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await drains.records(sub)).toHaveLength(5);
    expect(records.map((r) => r.outputTokens).sort()).toEqual(
      answers.map((a) => a.usage.completion_tokens).sort(),
    );
    const totals = await dayTotals(drains, sub);
    expect(totals.calls).toBe(5);
    expect(usdToMicro(totals.costUsd)).toBe(await dailySpendMicroUsd(`user:${sub}`, redis.url));
  });
});
