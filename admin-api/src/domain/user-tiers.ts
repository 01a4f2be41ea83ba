// Rate-limit tiers per user. Postgres holds the tier an admin assigned (the system of record);
// it is mirrored into the custom claim `tier`, which `exchangeToken` copies into client tokens,
// and the user's refresh tokens are revoked so their next session carries it. Without an
// assignment there is no claim and the functions derive the tier from the role, so nothing is
// written until an admin assigns one; assigning null removes the claim again.
import type { RateTier, UserSummary } from '@colonycraft/protocol';
import { inTransactionWithUndo } from '../data/db.js';
import { findRoleForUpdate, lockAdmins, ownerStateChange, upsertTier } from '../data/user-roles.js';
import { ApiError } from '../errors.js';
import { publishOwnerState } from './api-key-publish.js';
import { appendAudit } from './audit.js';
import type { CallContext } from './call-context.js';
import { enabledAdminsFor, getUser, mirrorClaims, summaryOf, type UserDeps } from './users.js';

/** The claims with `tier` set to `tier`, or without it for null; `role` and the rest kept. */
function withTier(claims: Record<string, unknown>, tier: RateTier | null): Record<string, unknown> {
  const { tier: _old, ...rest } = claims;
  return tier === null ? rest : { ...rest, tier };
}

/**
 * Assigns a user's tier. Ordered as `setRole` is, for the same reasons: the admin rows are
 * locked first (same lock order as role changes, so the two cannot deadlock) to check that the
 * caller is still an enabled admin, then the user's claims are read and their row locked;
 * Firebase Auth is written before COMMIT so a change is never reported that the claim does not
 * carry, and put back if a later step or COMMIT fails. The audit entry comes last, in the same
 * transaction.
 */
export async function setTier(
  deps: UserDeps,
  ctx: CallContext,
  uid: string,
  tier: RateTier | null,
): Promise<UserSummary> {
  return inTransactionWithUndo(deps.pool, async (tx, undo) => {
    enabledAdminsFor(await lockAdmins(tx), ctx.caller.uid, 'Only admins may assign tiers.');
    // Under the lock, as in setRole: a role change cannot slip in between this read and our write.
    const user = await getUser(deps.auth, uid);
    if (!user) throw new ApiError('not_found', `No user ${uid}.`);
    const claims = user.customClaims ?? {};
    const mirror = (revoke: boolean) =>
      mirrorClaims(deps.auth, uid, { before: claims, after: withTier(claims, tier) }, undo, revoke);
    const row = await findRoleForUpdate(tx, uid);
    const role = row?.role ?? 'member';
    const before = row?.tier ?? null;
    if (before === tier) {
      // Nothing to record; still repair the claim if it drifted.
      if (((claims.tier as RateTier | undefined) ?? null) !== tier) await mirror(false);
      return summaryOf(user, role, tier);
    }
    await upsertTier(tx, { uid, email: user.email ?? null, tier });
    // The owner's tier in their keys' records, at which the functions take their limits.
    await publishOwnerState(deps.projection, tx, uid, ownerStateChange(row, { tier }), undo);
    await mirror(true);
    await appendAudit(tx, ctx, {
      action: 'user.tier.set',
      target: `user:${uid}`,
      before: { tier: before },
      after: { tier },
    });
    return summaryOf(user, role, tier);
  });
}
