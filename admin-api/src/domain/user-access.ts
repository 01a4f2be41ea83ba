// Disabling an account: Firebase Auth refuses new sign-ins, the refresh tokens are revoked so
// no new ID token can be had, and the denylist ends the client tokens already issued, all
// before the API answers. Re-enabling lifts the denylist entry too, or the user would be
// refused everywhere until it expired. Audited.
import type { UserAccess } from '@colonycraft/protocol';
import { inTransactionWithUndo } from '../data/db.js';
import type { TokenDenylist } from '../data/token-denylist.js';
import { lockAdmins } from '../data/user-roles.js';
import { ApiError } from '../http/errors.js';
import type { RequestContext } from '../http/request-context.js';
import { appendAudit } from './audit.js';
import { authUnavailable, getUser, type UserDeps } from './users.js';

export interface AccessDeps extends UserDeps {
  denylist: TokenDenylist;
}

const denylistUnavailable = (error: unknown) =>
  new ApiError('unavailable', 'The token denylist did not answer; nothing changed.', {
    cause: error,
  });

/**
 * Ordered like a role change: the admin rows are locked (every change of an account's state
 * holds that lock), then the account is read, so whether anything is to be done is decided on
 * the state no other change is altering. Firebase Auth and the denylist are changed before
 * COMMIT, each with a step that puts it back if anything later fails, so an error always means
 * nothing changed: no account left disabled without its audit entry, no denylist entry left
 * behind a refused request.
 */
export async function setDisabled(
  deps: AccessDeps,
  ctx: RequestContext,
  uid: string,
  disabled: boolean,
): Promise<UserAccess> {
  if (uid === ctx.caller.uid && disabled)
    throw new ApiError('conflict', 'You cannot disable your own account.');
  await inTransactionWithUndo(deps.pool, async (tx, undo) => {
    const admins = await lockAdmins(tx);
    if (!admins.includes(ctx.caller.uid))
      throw new ApiError('forbidden', 'Only admins may disable accounts.');
    const user = await getUser(deps.auth, uid);
    if (!user) throw new ApiError('not_found', `No user ${uid}.`);
    if (user.disabled === disabled) return;
    undo(() => deps.auth.updateUser(uid, { disabled: user.disabled }));
    try {
      await deps.auth.updateUser(uid, { disabled });
      if (disabled) await deps.auth.revokeRefreshTokens(uid);
    } catch (error) {
      throw authUnavailable(error);
    }
    if (disabled) {
      // An entry that was already there (another revocation) stays, whatever happens next.
      const added = await deps.denylist.denySubject(uid).catch((error: unknown) => {
        throw denylistUnavailable(error);
      });
      if (added) undo(() => deps.denylist.allowSubject(uid));
    } else {
      // Back to refusing the account's tokens, as it was, if anything from here on fails.
      undo(() => deps.denylist.denySubject(uid));
      await deps.denylist.allowSubject(uid).catch((error: unknown) => {
        throw denylistUnavailable(error);
      });
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
