// The token denylist on a Redis that does not answer: each check fails (open or closed as
// configured) and is counted, and the outage is one, not a log line per call (limits/outage.ts).
import { describe, expect, it } from 'vitest';
import { freePort } from '@colonycraft/testing';
import { createRedisClient } from '../limits/redis-store.js';
import { denylistMetrics, redisDenylist } from './denylist.js';

describe('the denylist without Redis', () => {
  it('when Redis refuses connections, then every check fails as configured and is counted', async () => {
    const redis = createRedisClient(`redis://127.0.0.1:${await freePort()}`);
    try {
      const before = denylistMetrics.redisFailures;
      const open = redisDenylist(redis, true);
      const claims = { jti: 'j', sub: 's' };
      for (let i = 0; i < 5; i += 1) expect(await open.isDenied(claims)).toBe(false);
      await expect(redisDenylist(redis, false).isDenied(claims)).rejects.toMatchObject({
        kind: 'unavailable',
      });
      expect(denylistMetrics.redisFailures - before).toBe(6);
    } finally {
      redis.disconnect();
    }
  });
});
