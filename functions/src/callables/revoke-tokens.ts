// Ending client tokens before they expire. `revokeClientToken`: a caller ends its own token
// (sign-out). `revokeUserTokens`: an admin ends every token of a user (an account disabled or
// compromised); revoking their refresh tokens, so no new ID token can be had, is the admin
// API's part.
import { z } from 'zod';
import { WithClientToken } from '@colonycraft/protocol';
import { getDenylist } from '../auth/denylist.js';
import { admin, defineCallable, member } from './define-callable.js';

export const revokeClientToken = defineCallable({
  caller: member,
  input: WithClientToken,
  handle: async (_input, { caller }): Promise<{ revoked: true }> => {
    await getDenylist().denyToken(caller.jti);
    return { revoked: true };
  },
});

export const revokeUserTokens = defineCallable({
  caller: admin,
  input: WithClientToken.extend({ uid: z.string().min(1).max(128) }),
  handle: async ({ uid }): Promise<{ revoked: true }> => {
    await getDenylist().denySubject(uid);
    return { revoked: true };
  },
});
