// Remembers client tokens already verified, so a client reusing its token (for up to 15
// minutes) costs a map lookup instead of a signature check. Keyed by the whole token string:
// the same string carries the same signature, so nothing unverified can hit. Entries expire
// with their token, and the cache empties whenever the verification keys change.
import type { CryptoKey } from 'jose';
import type { ClientTokenClaims } from '@colonycraft/protocol';
import { verifyClientToken } from './client-token.js';

const MAX_ENTRIES = 10_000;

interface Entry {
  claims: ClientTokenClaims;
  /** ms since the epoch */
  expiresAt: number;
}

export function createTokenVerifier(now: () => number = Date.now) {
  let keys: ReadonlyMap<string, CryptoKey> | undefined;
  const verified = new Map<string, Entry>();

  return async function verify(
    token: string,
    verifyKeys: ReadonlyMap<string, CryptoKey>,
  ): Promise<ClientTokenClaims> {
    if (verifyKeys !== keys) {
      verified.clear();
      keys = verifyKeys;
    }
    const hit = verified.get(token);
    if (hit && now() < hit.expiresAt) return hit.claims;
    verified.delete(token);

    const claims = await verifyClientToken(token, verifyKeys, { now });
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      exp: number;
    };
    if (verified.size >= MAX_ENTRIES) verified.delete(verified.keys().next().value!);
    verified.set(token, { claims, expiresAt: exp.exp * 1000 });
    return claims;
  };
}

/** The instance's verifier. */
export const verifyClientTokenCached = createTokenVerifier();
