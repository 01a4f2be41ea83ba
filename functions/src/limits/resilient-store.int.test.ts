// The failure policy against a Redis that goes away: this file starts its own redis-server,
// stops it mid-test and starts it again. Fail closed refuses as unavailable, fail open decides
// in process; both count the failure, and both find Redis again when it is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, type RedisServer } from '@colonycraft/testing';
import { GatewayError } from '../errors.js';
import type { Limiter } from './limiter.js';
import { createRedisClient, RedisLimitStore } from './redis-store.js';
import { limiterMetrics, ResilientLimitStore } from './resilient-store.js';
import { testLimiter } from '../dev/limits/store-behaviour.js';

let redis: RedisServer;
const limiters: Limiter[] = [];

function limiterFor(mode: 'closed' | 'open', url = redis.url): Limiter {
  const store = new ResilientLimitStore(new RedisLimitStore(createRedisClient(url)), mode);
  const limiter = testLimiter(store, { requests: { capacity: 100, refillPerMinute: 60 } });
  limiters.push(limiter);
  return limiter;
}

const call = (principal = `user:${randomUUID()}`) => ({
  principals: [principal],
  tier: 'free' as const,
  estimatedTokens: 10,
  estimatedCostMicroUsd: 0,
});

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(limiters.map((l) => l.close()));
  await redis?.stop();
});

describe('ResilientLimitStore', () => {
  it('when Redis stops and comes back, then closed refuses, open decides alone, and both recover', async () => {
    const closed = limiterFor('closed');
    const open = limiterFor('open');
    expect((await closed.admit(call())).ok).toBe(true);
    const held = await open.admit(call());
    expect(held.ok).toBe(true);

    await redis.stop();
    const failures = limiterMetrics.redisFailures;
    const refusal = closed.admit(call());
    await expect(refusal).rejects.toBeInstanceOf(GatewayError);
    await expect(refusal).rejects.toMatchObject({ kind: 'unavailable' });
    // The decision failed, and so may the release sent after it (the decision may have
    // reached Redis before the connection closed): one failure or two.
    expect(limiterMetrics.redisFailures - failures).toBeGreaterThanOrEqual(1);
    expect(limiterMetrics.redisFailures - failures).toBeLessThanOrEqual(2);

    // Open: the instance's own buckets decide, its capacity of 100 included.
    const decided = limiterMetrics.failOpenDecisions;
    const principal = `user:${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 101 }, () => open.admit(call(principal))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(100);
    expect(limiterMetrics.failOpenDecisions).toBe(decided + 101);
    const first = results[0]!;
    if (!first.ok) throw new Error('refused');
    // Settling in-process leases and a Redis lease while Redis is away neither throws nor hangs.
    await open.settle({ ...first.lease, actualTokens: 10, actualCostMicroUsd: 0 });
    if (held.ok) await open.settle({ ...held.lease, actualTokens: 10, actualCostMicroUsd: 0 });

    await redis.start();
    const direct = new Redis(redis.port, '127.0.0.1');
    try {
      for (const limiter of [closed, open]) {
        const principal = `user:${randomUUID()}`;
        const store = (limiter.store as unknown as { primary: RedisLimitStore }).primary;
        const client = (store as unknown as { redis: Redis }).redis;
        await until(() => client.status === 'ready');
        expect((await limiter.admit(call(principal))).ok).toBe(true);
        // The decision was Redis's: the bucket is there.
        expect(await direct.exists(store.keys(principal).requests)).toBe(1);
      }
    } finally {
      direct.disconnect();
    }
  });

  it('when Redis is away in open mode, then a principal with a budget is refused and one without is admitted', async () => {
    const store = new ResilientLimitStore(
      new RedisLimitStore(createRedisClient(`redis://127.0.0.1:${await freePort()}`)),
      'open',
    );
    const limiter = testLimiter(store, { dailyBudgetMicroUsd: 1_000_000 });
    limiters.push(limiter);
    await expect(limiter.admit(call())).rejects.toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(/^Budgets cannot be checked/),
    });
    // The standard tier of testLimiter has no budget: it is decided in process.
    expect((await limiter.admit({ ...call(), tier: 'standard' })).ok).toBe(true);
  });

  it('when Redis is not there from the start, then the first decision fails fast', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    await expect(limiterFor('closed', nobody).admit(call())).rejects.toMatchObject({
      kind: 'unavailable',
    });
    expect((await limiterFor('open', nobody).admit(call())).ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
