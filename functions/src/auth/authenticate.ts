// Who is calling, from a client token: its signature and claims (remembered per instance once
// verified) and then the denylist, which is asked every time.
import type { ClientTokenClaims } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import { getDenylist } from './denylist.js';
import { currentVerifyKeys } from './keys.js';
import { verifyClientTokenCached } from './verified-tokens.js';

/** A genuine credential's claims, and the denylist check that must pass before they count. */
export interface Identified {
  claims: ClientTokenClaims;
  /** Throws unauthenticated when the credential or its subject has been revoked. */
  checkRevocation(): Promise<void>;
}

/** Throws `message` as unauthenticated when the denylist holds the token or its subject. */
export async function checkNotDenied(claims: ClientTokenClaims, message: string): Promise<void> {
  if (await getDenylist().isDenied(claims)) throw new GatewayError('unauthenticated', message);
}

/**
 * Verifies a client token and leaves the denylist check to the caller, who can make it side by
 * side with other work (the rate limiter's decision): the claims count only once it has passed.
 */
export async function identifyClientToken(token: string): Promise<Identified> {
  const claims = await verifyClientTokenCached(token, await currentVerifyKeys());
  return {
    claims,
    checkRevocation: () => checkNotDenied(claims, 'Client token has been revoked; sign in again.'),
  };
}

export async function authenticateClientToken(token: string): Promise<ClientTokenClaims> {
  const { claims, checkRevocation } = await identifyClientToken(token);
  await checkRevocation();
  return claims;
}
