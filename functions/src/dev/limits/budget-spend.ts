// What a principal has spent on its daily budget so far, read from the limiter's own Redis
// keys: for tests that check a budget settles at the cost a ledger record holds.
import { Redis } from 'ioredis';
import { RedisLimitStore } from '../../limits/redis-store.js';

/** Micro-USD spent today by `principal` (`user:{uid}` or `key:{id}`), per Redis at `url`. */
export async function dailySpendMicroUsd(
  principal: string,
  url = 'redis://127.0.0.1:6379',
): Promise<number> {
  const redis = new Redis(url);
  try {
    const key = new RedisLimitStore(redis).keys(principal).daily;
    return Number((await redis.hget(key, 'used')) ?? 0);
  } finally {
    redis.disconnect();
  }
}
