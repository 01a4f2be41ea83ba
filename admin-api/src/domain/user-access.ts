// Disabling an account: Firebase Auth refuses new sign-ins, the refresh tokens are revoked so
// no new ID token can be had, and the denylist ends the client tokens already issued — written
// first, so nothing the user holds still works once the API has answered. Audited.
import type { UserAccess } from '@colonycraft/protocol';
import { inTransaction } from '../data/db.js';
import type { TokenDenylist } from '../data/token-denylist.js';
import { lockAdmins } from '../data/user-roles.js';
import { ApiError } from '../http/errors.js';
import type { RequestContext } from '../http/request-context.js';
import { appendAudit } from './audit.js';
import { authUnavailable, getUser, type UserDeps } from './users.js';

export interface AccessDeps extends UserDeps {
  denylist: TokenDenylist;
}

export async function setDisabled(
  deps: AccessDeps,
  ctx: RequestContext,
  uid: string,
  disabled: boolean,
): Promise<UserAccess> {
  if (uid === ctx.caller.uid && disabled)
    throw new ApiError('conflict', 'You cannot disable your own account.');
  const user = await getUser(deps.auth, uid);
  if (!user) throw new ApiError('not_found', `No user ${uid}.`);
  if (disabled) {
    try {
      await deps.denylist.denySubject(uid);
    } catch {
      throw new ApiError('unavailable', 'The token denylist did not answer; nothing changed.');
    }
  }
  await inTransaction(deps.pool, async (tx) => {
    const admins = await lockAdmins(tx);
    if (!admins.includes(ctx.caller.uid))
      throw new ApiError('forbidden', 'Only admins may disable accounts.');
    if (user.disabled === disabled) return;
    try {
      await deps.auth.updateUser(uid, { disabled });
      if (disabled) await deps.auth.revokeRefreshTokens(uid);
    } catch (error) {
      throw authUnavailable(error);
    }
    await appendAudit(tx, ctx, {
      action: 'user.disabled.set',
      target: `user:${uid}`,
      before: { disabled: user.disabled },
      after: { disabled },
    });
  });
  return { uid, disabled };
}
