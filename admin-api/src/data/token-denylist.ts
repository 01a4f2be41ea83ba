// Ends a user's client tokens at once, through the denylist in Redis that the functions check
// on every call. Without REDIS_URL (a local stack whose functions keep their denylist in
// process) there is nothing to write to: tokens then end when they expire, within 15 minutes.
// Entries outlive every token they cover (`DENYLIST_TTL_SECONDS`).
import { Redis } from 'ioredis';
import { DENYLIST_TTL_SECONDS, denylistKey } from '@colonycraft/protocol';

export interface TokenDenylist {
  /**
   * Refuses every current client token of `uid`. True when the subject had no entry before, so
   * that taking it away again (`allowSubject`) undoes exactly this.
   */
  denySubject(uid: string): Promise<boolean>;
  /** Lets `uid`'s client tokens through again (those not denied one by one). */
  allowSubject(uid: string): Promise<void>;
  /**
   * Refuses API key `keyId` at the exchange and every client token exchanged for it (on its
   * revocation, or a rotation without grace), everywhere at once.
   */
  denyApiKey(keyId: string): Promise<void>;
  close(): Promise<void>;
}

export const noDenylist: TokenDenylist = {
  denySubject: async () => true,
  allowSubject: async () => undefined,
  denyApiKey: async () => undefined,
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
      const key = denylistKey.subject(uid);
      // One transaction, so what "before" means cannot change between the two commands.
      const replies = await redis
        .multi()
        .exists(key)
        .set(key, '1', 'PX', DENYLIST_TTL_SECONDS * 1000)
        .exec();
      const failed = replies?.find(([error]) => error !== null)?.[0];
      if (!replies || failed) throw failed ?? new Error('denylist transaction discarded');
      return replies[0]![1] === 0;
    },
    async allowSubject(uid) {
      await redis.del(denylistKey.subject(uid));
    },
    async denyApiKey(keyId) {
      await redis.set(denylistKey.apiKey(keyId), '1', 'PX', DENYLIST_TTL_SECONDS * 1000);
    },
    async close() {
      redis.disconnect();
    },
  };
}
