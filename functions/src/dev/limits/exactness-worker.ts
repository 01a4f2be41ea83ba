// A separate process for the exactness test (limits/redis-store.int.test.ts): connects to
// Redis, says `ready`, waits for `go` on stdin, then fires CALLS decisions at once against the
// shared bucket and prints how many were admitted. Run with `node --import tsx`.
import { createInterface } from 'node:readline';
import type { LimitsConfig, TierLimits } from '../../limits/limits-config.js';
import { Limiter } from '../../limits/limiter.js';
import { createRedisClient, RedisLimitStore } from '../../limits/redis-store.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const tier: TierLimits = {
  // No refill worth the name: one request per 1,000 minutes.
  requests: { capacity: Number(env('CAPACITY')), refillPerMinute: 0.001 },
  tokens: { capacity: 1_000_000, refillPerMinute: 1_000_000 },
  concurrency: 1_000_000,
  dailyBudgetMicroUsd: undefined,
  monthlyBudgetMicroUsd: undefined,
};
const config: LimitsConfig = {
  tiers: { free: tier, standard: tier, unlimited: null },
  failureMode: 'closed',
  leaseTtlMs: 60_000,
};
const store = new RedisLimitStore(createRedisClient(env('REDIS_URL')), env('KEY_PREFIX'));
const limiter = new Limiter(store, config);
const principals = [env('PRINCIPAL')];

// Connect (and load nothing into the bucket) before the race starts.
await limiter.renew({ principals, tier: 'free', leaseId: 'warm-up' });
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'go') break;
}
const results = await Promise.all(
  Array.from({ length: Number(env('CALLS')) }, () =>
    limiter.admit({ principals, tier: 'free', estimatedTokens: 1, estimatedCostMicroUsd: 0 }),
  ),
);
console.log(`admitted ${results.filter((r) => r.ok).length}`);
await limiter.close();
