// The gateway against a Redis of its own that fails as servers do: stalled past the command
// timeout (SIGSTOP), killed and started again. Each case bounds the client's wait, and checks
// that nothing a refused call reserved is still held once Redis answers again: no lease, no
// budget, full concurrency. A fresh instance whose first request only lists models is here
// too, since it once refused every chat call after it, and clients that leave mid-call.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '@colonycraft/testing';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';
import { RedisLimitStore } from './redis-store.js';

/** No case may wait longer than this for an answer: the gateway's deadlines are far shorter. */
const ANSWER_WITHIN_MS = 10_000;
/** What the issue states: everything held is back within this long of Redis answering. */
const RECOVERED_WITHIN_MS = 5_000;
const CONCURRENCY = 5;

let redis: RedisServer;
let gw: GatewayFixture;
let direct: Redis;
let keys: RedisLimitStore;

beforeAll(async () => {
  redis = await startRedisServer();
  gw = await startGatewayFixture({
    REDIS_URL: redis.url,
    RATE_TIERS: JSON.stringify({
      standard: {
        requests: { capacity: 1_000, refillPerMinute: 1_000 },
        tokens: { capacity: 1e9, refillPerMinute: 1e9 },
        concurrency: CONCURRENCY,
        dailyBudgetUsd: 10,
        monthlyBudgetUsd: null,
      },
    }),
  });
  direct = new Redis(redis.url);
  keys = new RedisLimitStore(direct);
});

afterAll(async () => {
  direct?.disconnect();
  await gw?.stop();
  await redis?.stop();
});

const chat = (token: string) =>
  fetch(`${gw.url}v1/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'openai/gpt-stub',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'hello' }],
    }),
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });

const statuses = async (token: string, n: number): Promise<number[]> =>
  Promise.all(Array.from({ length: n }, () => chat(token).then((res) => res.status)));

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A new caller, its client token, and its limiter keys in Redis. */
async function caller() {
  const uid = `user-${randomUUID()}`;
  return { token: await gw.token({ sub: uid }), keys: keys.keys(`user:${uid}`) };
}

const dailyUse = async (key: string): Promise<number> =>
  Number((await direct.hget(key, 'used')) ?? 0);

describe('the gateway when Redis fails', () => {
  it('when a fresh instance first lists the models, then the chat calls after it are admitted', async () => {
    const { token } = await caller();
    const models = await fetch(`${gw.url}v1/v1/models`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    expect(models.status).toBe(200);
    expect(await statuses(token, 2)).toEqual([200, 200]);
  });

  it('when Redis stalls past the command timeout, then the calls get 503, and once it answers nothing they reserved is still held', async () => {
    const { token, keys: own } = await caller();
    expect(await statuses(token, 1)).toEqual([200]);
    const spentBefore = await dailyUse(own.daily);
    expect(spentBefore).toBeGreaterThan(0);

    redis.freeze();
    try {
      expect(await statuses(token, CONCURRENCY)).toEqual(Array(CONCURRENCY).fill(503));
      // Redis catches up later and runs the decisions it was sent: they must take nothing.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    } finally {
      redis.thaw();
    }

    await until(async () => (await direct.zcard(own.leases)) === 0, RECOVERED_WITHIN_MS);
    expect(await dailyUse(own.daily)).toBe(spentBefore);
    expect(await statuses(token, CONCURRENCY)).toEqual(Array(CONCURRENCY).fill(200));
    expect(await direct.zcard(own.leases)).toBe(0);
  });

  it('when Redis is killed and started again, then calls get 503 until it is back, and then 200', async () => {
    const { token } = await caller();
    await redis.kill();
    try {
      expect(await statuses(token, 3)).toEqual([503, 503, 503]);
    } finally {
      await redis.start();
    }
    // The client reconnects within its retry strategy's longest wait (2 s).
    await until(async () => (await statuses(token, 1))[0] === 200, RECOVERED_WITHIN_MS);
  });
});

describe('a client that leaves', () => {
  it('when clients leave while the provider is silent, then their slots are free at once, not at its next word or the lease end', async () => {
    const { token, keys: own } = await caller();
    // Each answer's first word is 20 s away: only the clients' leaving can end these calls.
    gw.stub.script(
      ...Array.from({ length: CONCURRENCY }, () => ({ kind: 'chunk-delay' as const, ms: 20_000 })),
    );
    const clients = Array.from({ length: CONCURRENCY }, () => new AbortController());
    const calls = clients.map((client) =>
      fetch(`${gw.url}v1/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'openai/gpt-stub',
          stream: true,
          messages: [{ role: 'user', content: 'hello' }],
        }),
        signal: client.signal,
      })
        .then((res) => res.text())
        .catch(() => 'left'),
    );
    const silent = () => gw.stub.requests.filter((r) => r.fault?.kind === 'chunk-delay');
    await until(async () => silent().length === CONCURRENCY, ANSWER_WITHIN_MS);
    expect(await direct.zcard(own.leases)).toBe(CONCURRENCY);
    for (const client of clients) client.abort();
    expect(await Promise.all(calls)).toEqual(Array(CONCURRENCY).fill('left'));
    await until(async () => (await direct.zcard(own.leases)) === 0, RECOVERED_WITHIN_MS);
    // The provider's requests were cancelled too.
    await until(async () => silent().every((r) => r.aborted), RECOVERED_WITHIN_MS);
    expect(await statuses(token, CONCURRENCY)).toEqual(Array(CONCURRENCY).fill(200));
  });
});
