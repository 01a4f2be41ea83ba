// Who is calling, from a client token: its signature and claims (remembered per instance once
// verified) and then the denylist, which is asked every time.
import type { ClientTokenClaims } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import { getDenylist } from './denylist.js';
import { currentVerifyKeys } from './keys.js';
import { verifyClientTokenCached } from './verified-tokens.js';

export async function authenticateClientToken(token: string): Promise<ClientTokenClaims> {
  const claims = await verifyClientTokenCached(token, await currentVerifyKeys());
  if (await getDenylist().isDenied(claims)) {
    throw new GatewayError('unauthenticated', 'Client token has been revoked; sign in again.');
  }
  return claims;
}
