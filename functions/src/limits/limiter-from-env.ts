// The instance's one limiter, built from the environment on first use: with REDIS_URL (or
// REDIS_CLUSTER_NODES), the Redis store behind the configured failure policy, its usage ledger
// in the streams USAGE_LEDGER_PREFIX names; without it (the embedded local default), the
// in-process store.
import { limitsConfigFromEnv } from './limits-config.js';
import { Limiter } from './limiter.js';
import { MemoryLimitStore } from './memory-store.js';
import {
  DEFAULT_KEY_PREFIX,
  instanceRedis,
  ledgerPrefixFromEnv,
  RedisLimitStore,
  redisTargetFromEnv,
} from './redis-store.js';
import { ResilientLimitStore } from './resilient-store.js';
import { sharedRedisUrl } from '../shared-store.js';

let instance: Limiter | undefined;

export function limiterFromEnv(env: NodeJS.ProcessEnv = process.env): Limiter {
  const config = limitsConfigFromEnv(env);
  const url = redisTargetFromEnv(env);
  // Settlements append usage records to the ledger in Redis; the instance drains them.
  const store = url
    ? new ResilientLimitStore(
        new RedisLimitStore(instanceRedis(url), DEFAULT_KEY_PREFIX, {
          ledgerPrefix: ledgerPrefixFromEnv(env),
        }),
        config.failureMode,
      )
    : new MemoryLimitStore();
  return new Limiter(store, config);
}

/**
 * The limiter of this instance, made once; bad configuration throws on first use, and so does
 * a missing REDIS_URL outside the emulator unless ALLOW_PER_INSTANCE_LIMITS=true.
 */
export function getLimiter(): Limiter {
  if (!instance) sharedRedisUrl();
  instance ??= limiterFromEnv();
  return instance;
}
