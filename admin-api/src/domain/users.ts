// Users and roles. Firebase Auth holds the identities, Postgres the roles (the system of
// record, read on every request); each role change is mirrored into the user's custom claim
// `role`, which the functions put into client tokens, and the user's refresh tokens are revoked
// so no session keeps the old role for longer than its current ID token. Tiers work the same
// way and live in `user-tiers.ts`.
import type { Auth, UserRecord } from 'firebase-admin/auth';
import {
  effectiveTier,
  type RateTier,
  type Role,
  type UserList,
  type UserListQuery,
  type UserSummary,
} from '@colonycraft/protocol';
import type { z } from 'zod';
import type pg from 'pg';
import { inTransactionWithUndo, type Undo } from '../data/db.js';
import type { KeyProjection } from '../data/key-projection.js';
import {
  accessOf,
  findRoleForUpdate,
  lockAdmins,
  ownerStateChange,
  upsertRole,
  type AdminRow,
} from '../data/user-roles.js';
import { ApiError } from '../errors.js';
import { publishOwnerState } from './api-key-publish.js';
import { appendAudit } from './audit.js';
import type { CallContext } from './call-context.js';

export interface UserDeps {
  pool: pg.Pool;
  auth: Auth;
  /** Where API key records live: they carry their owner's state. */
  projection: KeyProjection;
}

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

export function authUnavailable(error: unknown): ApiError {
  return new ApiError('unavailable', 'Firebase Auth did not answer; nothing changed.', {
    cause: error,
  });
}

/**
 * Replaces `uid`'s custom claims (`before`) with `after`, registering the undo first; with
 * `revoke`, also revokes their refresh tokens so their next session carries the new claims.
 */
export async function mirrorClaims(
  auth: Auth,
  uid: string,
  claims: { before: Record<string, unknown>; after: Record<string, unknown> },
  undo: Undo,
  revoke: boolean,
): Promise<void> {
  undo(() => auth.setCustomUserClaims(uid, claims.before));
  try {
    await auth.setCustomUserClaims(uid, claims.after);
    if (revoke) await auth.revokeRefreshTokens(uid);
  } catch (error) {
    throw authUnavailable(error);
  }
}

export async function getUser(auth: Auth, uid: string): Promise<UserRecord | undefined> {
  try {
    return await auth.getUser(uid);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'auth/user-not-found' || code === 'auth/invalid-uid') return undefined;
    throw authUnavailable(error);
  }
}

/** For a field that names a user, such as a key's owner: 400 when there is no such user. */
export async function ensureUserExists(auth: Auth, uid: string, field: string): Promise<void> {
  if (!(await getUser(auth, uid))) {
    throw new ApiError('invalid_request', `Invalid ${field.replace('.', ': ')}: no such user`);
  }
}

/**
 * The enabled admins among the rows `lockAdmins` locked, once the caller is found among them:
 * an admin disabled or demoted while their request waited for the lock changes nothing.
 */
export function enabledAdminsFor(admins: AdminRow[], caller: string, refusal: string): string[] {
  const enabled = admins.filter((a) => !a.disabled).map((a) => a.uid);
  if (!enabled.includes(caller)) throw new ApiError('forbidden', refusal);
  return enabled;
}

/** 409 when `uid` is the only enabled admin, so a change taking them away would leave none. */
export function assertAnotherEnabledAdmin(enabled: string[], uid: string): void {
  if (!enabled.some((a) => a !== uid)) {
    throw new ApiError(
      'conflict',
      'This is the last enabled admin; promote or enable another admin first.',
    );
  }
}

export function summaryOf(
  user: UserRecord,
  role: Role,
  assignedTier: RateTier | null,
): UserSummary {
  return {
    uid: user.uid,
    email: user.email ?? null,
    displayName: user.displayName ?? null,
    role,
    tier: effectiveTier(role, assignedTier),
    assignedTier,
    disabled: user.disabled,
  };
}

export async function listUsers(
  deps: UserDeps,
  query: z.output<typeof UserListQuery>,
): Promise<UserList> {
  let page;
  try {
    page = await deps.auth.listUsers(query.limit, query.pageToken);
  } catch (error) {
    if (codeOf(error) === 'auth/invalid-page-token') {
      throw new ApiError('invalid_request', 'Invalid query: pageToken: not a page token');
    }
    throw authUnavailable(error);
  }
  const rows = await accessOf(
    deps.pool,
    page.users.map((u) => u.uid),
  );
  return {
    users: page.users.map((u) => {
      const row = rows.get(u.uid);
      return summaryOf(u, row?.role ?? 'member', row?.tier ?? null);
    }),
    nextPageToken: page.pageToken ?? null,
  };
}

/**
 * Sets a user's role. The checks run inside the transaction with every admin row locked (see
 * `lockAdmins`): the caller must still be an enabled admin, and the last enabled admin cannot be
 * demoted, even by two demotions (or a demotion and a disabling) racing each other. The user's claims are read under that lock too: every
 * role and tier change holds it while it writes claims, so a change that waited here cannot
 * write back what the one before it replaced. Firebase Auth is updated before COMMIT, for the
 * reason key revocations write Firestore first: if it fails, Postgres rolls back and the caller
 * gets 503, so a demotion is never reported while the claim still says admin. If a later step
 * or COMMIT fails after the claim was written, the old claims are put back.
 */
export async function setRole(
  deps: UserDeps,
  ctx: CallContext,
  uid: string,
  role: Role,
): Promise<UserSummary> {
  return inTransactionWithUndo(deps.pool, async (tx, undo) => {
    const admins = enabledAdminsFor(
      await lockAdmins(tx),
      ctx.caller.uid,
      'Only admins may change roles.',
    );
    const user = await getUser(deps.auth, uid);
    if (!user) throw new ApiError('not_found', `No user ${uid}.`);
    const claims = user.customClaims ?? {};
    const mirror = (revoke: boolean) =>
      mirrorClaims(deps.auth, uid, { before: claims, after: { ...claims, role } }, undo, revoke);
    const row = await findRoleForUpdate(tx, uid);
    const assignedTier = row?.tier ?? null;
    const before = row?.role ?? 'member';
    if (before === role) {
      // Nothing to record; still repair the claim if it drifted.
      if (claims.role !== role) await mirror(false);
      return summaryOf(user, role, assignedTier);
    }
    if (before === 'admin') assertAnotherEnabledAdmin(admins, uid);
    await upsertRole(tx, { uid, email: user.email ?? null, role });
    // The tier a role implies is the owner's tier in their keys' records.
    await publishOwnerState(deps.projection, tx, uid, ownerStateChange(row, { role }), undo);
    await mirror(true);
    // Last, as for keys: the audit chain lock is not held across calls to Firebase.
    await appendAudit(tx, ctx, {
      action: 'user.role.set',
      target: `user:${uid}`,
      before: { role: before },
      after: { role },
    });
    return summaryOf(user, role, assignedTier);
  });
}
