// Accepts API keys: the key's SHA-256 names its verification record in Firestore, which the
// admin API projects. Records are cached per instance for at most API_KEY_CACHE_SECONDS (30 by
// default), so a revoked key, or one whose owner was disabled, stops working everywhere within
// that time by its record; its entry on the token denylist, which every use of the key and of
// its tokens checks beside the record, stops it at once.
import { createHash, randomUUID } from 'node:crypto';
import type { Firestore } from 'firebase-admin/firestore';
import {
  API_KEY_MAX_CACHE_SECONDS,
  ApiKeyRecord,
  conversationAccessOf,
  modelScopesOf,
  type ClientTokenClaims,
} from '@colonycraft/protocol';
import { STORE_DEADLINE_MS, withDeadline } from '../deadline.js';
import { GatewayError } from '../errors.js';

export function looksLikeApiKey(bearer: string): boolean {
  return bearer.startsWith('cc_');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const refused = () =>
  new GatewayError('unauthenticated', 'The API key is not valid, expired or revoked.');

export interface VerifiedApiKey {
  claims: ClientTokenClaims;
  /** Milliseconds since the epoch; undefined for a key that does not end by itself. */
  endsAt: number | undefined;
}

export function createApiKeyVerifier(options: {
  db: () => Firestore;
  cacheMs: number;
  /** The longest wait for a key's record: past it the call is unavailable, naming Firestore. */
  deadlineMs?: number;
  now?: () => number;
}) {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; record: ApiKeyRecord | null }>();

  async function record(hash: string): Promise<ApiKeyRecord | null> {
    const hit = cache.get(hash);
    if (hit && now() - hit.at < options.cacheMs) return hit.record;
    const snapshot = await withDeadline(
      options.db().doc(`apiKeys/${hash}`).get(),
      options.deadlineMs ?? STORE_DEADLINE_MS,
      'Firestore',
    );
    const parsed = snapshot.exists ? ApiKeyRecord.safeParse(snapshot.data()) : undefined;
    const found = parsed?.success ? parsed.data : null;
    if (cache.size > 10_000) cache.clear();
    cache.set(hash, { at: now(), record: found });
    return found;
  }

  /**
   * The claims a call made with this key carries, and when the key stops working (its expiry or
   * the end of its rotation's grace), if it does; or unauthenticated.
   */
  return async function verifyApiKey(key: string): Promise<VerifiedApiKey> {
    const found = await record(hashApiKey(key));
    const t = now();
    if (!found || found.revokedAt !== null) throw refused();
    if (found.expiresAt !== null && t >= found.expiresAt) throw refused();
    if (found.notAfter !== null && t >= found.notAfter) throw refused();
    // Checked here, not only through the denylist: its entry ends after 15 minutes, and the
    // account can stay disabled far longer. The key is genuine, so not 401: it may not be used.
    if (found.ownerDisabled) {
      throw new GatewayError('permission-denied', "This API key's owner is disabled.");
    }
    const ends = [found.expiresAt, found.notAfter].filter((at) => at !== null);
    const conversations = conversationAccessOf(found.scopes);
    return {
      claims: {
        sub: found.owner,
        role: 'member',
        models: modelScopesOf(found.scopes),
        tier: found.tier,
        jti: randomUUID(),
        key: found.keyId,
        ...(found.ownerTier ? { ownerTier: found.ownerTier } : {}),
        // None of the owner's conversations unless the key names them.
        ...(conversations ? { conversations } : {}),
      },
      endsAt: ends.length > 0 ? Math.min(...ends) : undefined,
    };
  };
}

export function apiKeyCacheMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.API_KEY_CACHE_SECONDS ?? API_KEY_MAX_CACHE_SECONDS);
  // The denylist's entries allow for a record cached this long, and no longer.
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > API_KEY_MAX_CACHE_SECONDS) {
    throw new Error(
      `API_KEY_CACHE_SECONDS must be a number from 0 to ${API_KEY_MAX_CACHE_SECONDS}`,
    );
  }
  return seconds * 1000;
}
