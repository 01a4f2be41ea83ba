// The Redis store against the tests' Redis and against a Redis Cluster of three primaries of
// this file's own: the shared store behaviour, exactness across two processes, budgets under
// concurrency, Redis's own clock and key hygiene. On the cluster, every script runs only if
// all its keys share a slot. On the shared Redis every key lives under a prefix of this run,
// deleted at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { startRedisCluster, TEST_REDIS_URL, type RedisCluster } from '@colonycraft/testing';
import {
  createRedisClient,
  groupTag,
  instanceRedis,
  RedisLimitStore,
  untilConnected,
  type RedisClient,
} from './redis-store.js';
import { denylistKey } from '@colonycraft/protocol';
import { redisDenylist } from '../auth/denylist.js';
import { budgetBehaviour } from '../dev/limits/budget-behaviour.js';
import { call, storeBehaviour, T0, testLimiter, user } from '../dev/limits/store-behaviour.js';

const REDIS_URL = TEST_REDIS_URL;
const prefix = `cc:rl:test:${randomUUID()}:`;
const stores: RedisLimitStore[] = [];
let admin: Redis;
let cluster: RedisCluster;

async function keysOfThisRun(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

beforeAll(async () => {
  admin = createRedisClient(REDIS_URL) as Redis;
  await admin.connect();
  cluster = await startRedisCluster(3);
});

afterAll(async () => {
  const keys = await keysOfThisRun();
  if (keys.length) await admin.del(...keys);
  await Promise.all(stores.map((s) => s.close()));
  admin.disconnect();
  await cluster?.stop();
});

describe.each([
  ['one Redis', () => REDIS_URL],
  ['a Redis Cluster of three primaries', () => `cluster://${cluster.nodes.join(',')}`],
])('RedisLimitStore on %s', (_, target) => {
  let store: RedisLimitStore;
  let redis: RedisClient;
  function newStore(): RedisLimitStore {
    const s = new RedisLimitStore(createRedisClient(target()), prefix);
    stores.push(s);
    return s;
  }
  beforeAll(async () => {
    store = newStore();
    redis = createRedisClient(target());
    await untilConnected(redis);
  });
  afterAll(() => redis?.disconnect());

  storeBehaviour(() => store);
  budgetBehaviour(() => store);

  it('when 200 decisions from two processes race for a bucket of 50, then exactly 50 pass', async () => {
    const principal = `user:${randomUUID()}`;
    const worker = fileURLToPath(new URL('../dev/limits/exactness-worker.ts', import.meta.url));
    const children = [1, 2].map(() =>
      spawn(process.execPath, ['--import', 'tsx', worker], {
        cwd: fileURLToPath(new URL('.', import.meta.url)),
        env: {
          ...process.env,
          REDIS_URL: target(),
          KEY_PREFIX: prefix,
          PRINCIPAL: principal,
          CALLS: '100',
          CAPACITY: '50',
        },
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    try {
      const lines = children.map((child) =>
        createInterface({ input: child.stdout! })[Symbol.asyncIterator](),
      );
      const next = async (i: number) => String((await lines[i]!.next()).value);
      expect(await Promise.all([next(0), next(1)])).toEqual(['ready', 'ready']);
      for (const child of children) child.stdin!.end('go\n');
      const answers = await Promise.all([next(0), next(1)]);
      const admitted = answers.map((a) => Number(/^admitted (\d+)$/.exec(a)?.[1]));
      expect(admitted[0]! + admitted[1]!).toBe(50);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill();
    }
  });

  it('when no time is given, then Redis TIME is the clock', async () => {
    const limiter = testLimiter(store);
    const before = Date.now();
    const admission = await limiter.admit({
      principals: [`user:${randomUUID()}`],
      tier: 'free',
      estimatedTokens: 10,
      estimatedCostMicroUsd: 0,
    });
    expect(admission.ok).toBe(true);
    if (!admission.ok) return;
    expect(admission.lease.admittedAt).toBeGreaterThan(before - 5_000);
    expect(admission.lease.admittedAt).toBeLessThan(Date.now() + 5_000);
  });

  it('when 50 calls race over five connections for a budget of 10 calls, then 10 to 11 are spent', async () => {
    const estimate = 7_000;
    const limiters = Array.from({ length: 5 }, () =>
      testLimiter(newStore(), {
        requests: { capacity: 1_000, refillPerMinute: 60 },
        monthlyBudgetMicroUsd: 10 * estimate,
      }),
    );
    const principals = [`user:${randomUUID()}`, `key:${randomUUID()}`];
    let spent = 0;
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const limiter = limiters[i % limiters.length]!;
        const call = { principals, tier: 'free' as const, estimatedTokens: 10 };
        const a = await limiter.admit({ ...call, estimatedCostMicroUsd: estimate });
        if (!a.ok) return;
        await limiter.settle({ ...a.lease, actualTokens: 10, actualCostMicroUsd: estimate });
        spent += estimate;
      }),
    );
    expect(spent).toBeGreaterThanOrEqual(10 * estimate);
    expect(spent).toBeLessThanOrEqual(11 * estimate);
  });

  it('when keys are written, then every one of them expires by itself', async () => {
    const limiter = testLimiter(store, { dailyBudgetMicroUsd: 100, monthlyBudgetMicroUsd: 100 });
    const principals = [`user:${randomUUID()}`];
    const a = await limiter.admit({
      principals,
      tier: 'free',
      estimatedTokens: 10,
      estimatedCostMicroUsd: 5,
      now: T0,
    });
    if (!a.ok) throw new Error('refused');
    const keys = Object.values(store.keys(principals[0]!));
    const ttls = await Promise.all(keys.map((k) => redis.pttl(k)));
    expect(ttls.every((ttl) => ttl > 0)).toBe(true);
    // A settled call with tokens given back leaves a full bucket: no key at all.
    await limiter.settle({ ...a.lease, actualTokens: 0, actualCostMicroUsd: 5, now: T0 });
    expect(await redis.exists(store.keys(principals[0]!).tokens)).toBe(0);
    expect(await redis.exists(store.keys(principals[0]!).leases)).toBe(0);
  });

  it('when a user and their API key are decided and settled with a usage record, then every key is in the user’s hash tag', async () => {
    const limiter = testLimiter(store, { dailyBudgetMicroUsd: 100 });
    const uid = randomUUID();
    const principals = [`user:${uid}`, `key:${randomUUID()}`];
    const a = await limiter.admit({ ...call(principals, T0), group: uid });
    if (!a.ok) throw new Error('refused');
    const journal = { callId: randomUUID(), record: '{}' };
    expect(
      await limiter.settle({ ...a.lease, actualTokens: 1, actualCostMicroUsd: 1, journal }),
    ).toBe(true);
    const stream = `${prefix}ledger:{${groupTag(uid)}}`;
    expect(await redis.xlen(stream)).toBe(1);
    for (const id of principals) expect(store.keys(id, uid).daily).toContain(`{${groupTag(uid)}}`);
  });

  it('when the denylist checks a token, its subject and its API key, then a denied key is found', async () => {
    const denylist = redisDenylist(redis, false);
    const claims = { jti: randomUUID(), sub: randomUUID(), key: randomUUID() };
    expect(await denylist.isDenied(claims)).toBe(false);
    await redis.set(denylistKey.apiKey(claims.key), '1', 'PX', 60_000);
    expect(await denylist.isDenied(claims)).toBe(true);
    await redis.del(denylistKey.apiKey(claims.key));
  });
});

describe('RedisLimitStore keys', () => {
  it('when principals hold braces, then their keys stay in their group’s hash tag and apart', () => {
    const store = new RedisLimitStore(createRedisClient(REDIS_URL), prefix);
    const keys = store.keys('key:a{b}%', 'u1');
    expect(keys.requests).toBe(`${prefix}{${groupTag('u1')}}:key:a{b}%:req`);
    expect(store.keys('key:a%7Bb', 'u1').requests).not.toBe(keys.requests);
    void store.close();
  });

  it('when groups are hashed, then they spread over the shards', () => {
    const tags = new Set(Array.from({ length: 1_000 }, (_, i) => groupTag(`user-${i}`)));
    expect(tags.size).toBe(64);
  });
});

describe('instanceRedis', () => {
  it('when the limiter and the denylist of an instance are asked in one tick, then both commands leave in one write', async () => {
    const redis = instanceRedis(REDIS_URL);
    expect(instanceRedis(REDIS_URL)).toBe(redis);
    const shared = new RedisLimitStore(redis, prefix);
    stores.push(shared);
    const denylist = redisDenylist(redis, false);
    const limiter = testLimiter(shared);
    await untilConnected(redis);
    // Counts what the client hands its socket: one write per batch of commands.
    const socket = (redis as unknown as { stream: { write: (...args: unknown[]) => boolean } })
      .stream;
    const write = socket.write.bind(socket);
    let writes = 0;
    socket.write = (...args) => {
      writes += 1;
      return write(...args);
    };
    const p = [user()];
    const [denied, admission] = await Promise.all([
      denylist.isDenied({ jti: randomUUID(), sub: p[0]! }),
      limiter.admit(call(p, T0)),
    ]);
    expect(denied).toBe(false);
    expect(admission.ok).toBe(true);
    expect(writes).toBe(1);
  });
});
