// The instance's one limiter, built from the environment on first use: with REDIS_URL, the
// Redis store behind the configured failure policy; without it (the embedded local default),
// the in-process store.
import { limitsConfigFromEnv } from './limits-config.js';
import { Limiter } from './limiter.js';
import { MemoryLimitStore } from './memory-store.js';
import { instanceRedis, RedisLimitStore } from './redis-store.js';
import { ResilientLimitStore } from './resilient-store.js';
import { sharedRedisUrl } from '../shared-store.js';

let instance: Limiter | undefined;

export function limiterFromEnv(env: NodeJS.ProcessEnv = process.env): Limiter {
  const config = limitsConfigFromEnv(env);
  const url = env.REDIS_URL?.trim();
  const store = url
    ? new ResilientLimitStore(new RedisLimitStore(instanceRedis(url)), config.failureMode)
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
