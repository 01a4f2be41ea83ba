// Disabling an account: Firebase Auth refuses new sign-ins, the refresh tokens are revoked so
// no new ID token can be had, the denylist ends the client tokens already issued, and the
// records of the user's API keys say the owner is disabled, so the functions refuse the keys
// for as long as it stays so; all before the API answers. Re-enabling undoes each: the keys
// work again (they were never revoked) and the denylist entry goes, or the user would be
// refused everywhere until it expired. Audited.
import type { UserAccess } from '@colonycraft/protocol';
import { inTransactionWithUndo } from '../data/db.js';
import type { TokenDenylist } from '../data/token-denylist.js';
import {
  findRoleForUpdate,
  lockAdmins,
  ownerStateChange,
  upsertDisabled,
} from '../data/user-roles.js';
import { ApiError } from '../errors.js';
import { publishOwnerState } from './api-key-publish.js';
import { appendAudit } from './audit.js';
import type { CallContext } from './call-context.js';
import {
  assertAnotherEnabledAdmin,
  authUnavailable,
  enabledAdminsFor,
  getUser,
  type UserDeps,
} from './users.js';

export interface AccessDeps extends UserDeps {
  denylist: TokenDenylist;
}

const denylistUnavailable = (error: unknown) =>
  new ApiError('unavailable', 'The token denylist did not answer; nothing changed.', {
    cause: error,
  });

/**
 * Ordered like a role change: the admin rows are locked (every change of an account's state
 * holds that lock), then the account and its row are read, so whether anything is to be done is
 * decided on the state no other change is altering, and disabling the last enabled admin is
 * refused (409) even when it races a demotion. Postgres records the state (the last-admin rule
 * counts enabled admins from it). The key records, Firebase Auth and the denylist are changed
 * before COMMIT, each with a step that puts it back if anything later fails, so an error always
 * means nothing changed: no account left disabled without its audit entry, no denylist entry
 * left behind a refused request.
 */
export async function setDisabled(
  deps: AccessDeps,
  ctx: CallContext,
  uid: string,
  disabled: boolean,
): Promise<UserAccess> {
  if (uid === ctx.caller.uid && disabled)
    throw new ApiError('conflict', 'You cannot disable your own account.');
  await inTransactionWithUndo(deps.pool, async (tx, undo) => {
    const admins = enabledAdminsFor(
      await lockAdmins(tx),
      ctx.caller.uid,
      'Only admins may disable accounts.',
    );
    const user = await getUser(deps.auth, uid);
    if (!user) throw new ApiError('not_found', `No user ${uid}.`);
    const row = await findRoleForUpdate(tx, uid);
    const before = row?.disabled ?? false;
    // Both must agree to have nothing to do: a drifted Auth is repaired (and re-audited).
    if (before === disabled && user.disabled === disabled) return;
    if (disabled && row?.role === 'admin') assertAnotherEnabledAdmin(admins, uid);
    await upsertDisabled(tx, { uid, email: user.email ?? null, disabled });
    // The functions accept a key by its record alone, long after the denylist entry is gone:
    // each record of the owner's keys carries the state.
    await publishOwnerState(deps.projection, tx, uid, ownerStateChange(row, { disabled }), undo);
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
      before: { disabled: before },
      after: { disabled },
    });
  });
  return { uid, disabled };
}
