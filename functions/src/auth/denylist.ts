// Client tokens that must stop working before they expire: one token (its `jti`, on sign-out),
// every token of a subject (an account disabled or its role changed), or every token exchanged
// for an API key (the key revoked or rotated without grace; the admin API writes that one).
// Entries outlive every token they cover (`DENYLIST_TTL_SECONDS`, 16.5 minutes). Kept in Redis
// so every instance sees them, checked with one EXISTS per call; in-process when REDIS_URL is
// unset, which only the emulator (the embedded local default) or ALLOW_PER_INSTANCE_LIMITS=true
// allows (`shared-store.ts`).
import { DENYLIST_TTL_SECONDS, denylistKey, type ClientTokenClaims } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import { Outage } from '../limits/outage.js';
import { instanceRedis, untilConnected, type RedisClient } from '../limits/redis-store.js';
import { sharedRedisUrl } from '../shared-store.js';

const TTL_MS = DENYLIST_TTL_SECONDS * 1000;

export interface Denylist {
  isDenied(claims: Pick<ClientTokenClaims, 'jti' | 'sub' | 'key'>): Promise<boolean>;
  denyToken(jti: string): Promise<void>;
  denySubject(sub: string): Promise<void>;
}

export function memoryDenylist(now: () => number = Date.now): Denylist {
  const until = new Map<string, number>();
  const live = (key: string): boolean => (until.get(key) ?? 0) > now();
  return {
    isDenied: async ({ jti, sub, key }) =>
      live(`jti:${jti}`) || live(`sub:${sub}`) || (key !== undefined && live(`key:${key}`)),
    denyToken: async (jti) => void until.set(`jti:${jti}`, now() + TTL_MS),
    denySubject: async (sub) => void until.set(`sub:${sub}`, now() + TTL_MS),
  };
}

/** Checks that could not be made because Redis failed, for tests and metrics. */
export const denylistMetrics = { redisFailures: 0 };

export function redisDenylist(redis: RedisClient, failOpen: boolean): Denylist {
  // An outage is logged when it begins and when it ends, not on every call in between.
  const outage = new Outage('token denylist: Redis', () => denylistMetrics.redisFailures++);
  return {
    async isDenied({ jti, sub, key }) {
      try {
        // Once connected, the command is queued before this returns: a caller can do other
        // work (parse the request) meanwhile, and its own commands of this tick go with it.
        await untilConnected(redis);
        const keys = [denylistKey.token(jti), denylistKey.subject(sub)];
        if (key !== undefined) keys.push(denylistKey.apiKey(key));
        // On Redis Cluster the keys live in different slots: one EXISTS each, sent together.
        const denied = redis.isCluster
          ? (await Promise.all(keys.map((k) => redis.exists(k)))).some((n) => n > 0)
          : (await redis.exists(...keys)) > 0;
        outage.recovered();
        return denied;
      } catch (error) {
        outage.failed({ error: String(error), failOpen });
        if (failOpen) return false;
        throw new GatewayError(
          'unavailable',
          'Tokens cannot be checked right now; try again shortly.',
        );
      }
    },
    async denyToken(jti) {
      await untilConnected(redis);
      await redis.set(denylistKey.token(jti), '1', 'PX', TTL_MS);
    },
    async denySubject(sub) {
      await untilConnected(redis);
      await redis.set(denylistKey.subject(sub), '1', 'PX', TTL_MS);
    },
  };
}

let instance: Denylist | undefined;

/**
 * The instance's denylist, from REDIS_URL and RATE_LIMIT_FAILURE_MODE like the limiter; throws
 * failed-precondition where REDIS_URL is missing and per-instance stores are not allowed.
 */
export function getDenylist(env: NodeJS.ProcessEnv = process.env): Denylist {
  const url = sharedRedisUrl(env);
  instance ??= url
    ? redisDenylist(instanceRedis(url), env.RATE_LIMIT_FAILURE_MODE === 'open')
    : memoryDenylist();
  return instance;
}
