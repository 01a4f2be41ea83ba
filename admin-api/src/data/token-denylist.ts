// Ends a user's client tokens at once, through the denylist in Redis that the functions check
// on every call. Without REDIS_URL (a local stack whose functions keep their denylist in
// process) there is nothing to write to: tokens then end when they expire, within 15 minutes.
import { Redis } from 'ioredis';
import { CLIENT_TOKEN_MAX_TTL_SECONDS, denylistKey } from '@colonycraft/protocol';

export interface TokenDenylist {
  /** Refuses every current client token of `uid`. */
  denySubject(uid: string): Promise<void>;
  close(): Promise<void>;
}

export const noDenylist: TokenDenylist = {
  denySubject: async () => undefined,
  close: async () => undefined,
};

export function redisDenylist(url: string): TokenDenylist {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
  });
  redis.on('error', () => {}); // failures surface on the command, as a 503
  return {
    async denySubject(uid) {
      await redis.set(denylistKey.subject(uid), '1', 'PX', CLIENT_TOKEN_MAX_TTL_SECONDS * 1000);
    },
    async close() {
      redis.disconnect();
    },
  };
}
