// Ending client tokens before they expire. `revokeClientToken`: a caller ends its own token
// (sign-out). `revokeUserTokens`: an admin ends every token of a user (an account disabled or
// compromised); revoking their refresh tokens, so no new ID token can be had, is the admin
// API's part. Both need the denylist every instance shares (Redis): without it a revocation
// would reach this instance only, so they answer failed-precondition rather than claim it.
import { z } from 'zod';
import { WithClientToken } from '@colonycraft/protocol';
import { getDenylist } from '../auth/denylist.js';
import { GatewayError } from '../errors.js';
import { hasSharedStore } from '../shared-store.js';
import { admin, defineCallable, member } from './define-callable.js';

function requireSharedDenylist(): void {
  if (!hasSharedStore()) {
    throw new GatewayError(
      'failed-precondition',
      'Tokens cannot be revoked here: REDIS_URL is not set, so the revocation would reach this instance only and the token would keep working elsewhere until it expires.',
    );
  }
}

export const revokeClientToken = defineCallable({
  caller: member,
  input: WithClientToken,
  handle: async (_input, { caller }): Promise<{ revoked: true }> => {
    requireSharedDenylist();
    await getDenylist().denyToken(caller.jti);
    return { revoked: true };
  },
});

export const revokeUserTokens = defineCallable({
  caller: admin,
  input: WithClientToken.extend({ uid: z.string().min(1).max(128) }),
  handle: async ({ uid }): Promise<{ revoked: true }> => {
    requireSharedDenylist();
    await getDenylist().denySubject(uid);
    return { revoked: true };
  },
});
