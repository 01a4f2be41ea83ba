// Repository for user roles and assigned tiers. Parameterized SQL only.
import { effectiveTier, type RateTier, type Role } from '@colonycraft/protocol';
import type { Queryable } from './db.js';

export interface UserRole {
  uid: string;
  email: string | null;
  role: Role;
}

/**
 * A user's row: the role, the tier an admin assigned (null: none, it follows the role), and
 * whether an admin disabled the account.
 */
export interface UserAccess extends UserRole {
  tier: RateTier | null;
  disabled: boolean;
}

export async function findRole(db: Queryable, uid: string): Promise<UserAccess | undefined> {
  const { rows } = await db.query<UserAccess>(
    'SELECT uid, email, role, tier, disabled FROM user_roles WHERE uid = $1',
    [uid],
  );
  return rows[0];
}

/** Sets the role, creating the row if needed; an assigned tier is left as it is. */
export async function upsertRole(db: Queryable, user: UserRole): Promise<void> {
  await db.query(
    `INSERT INTO user_roles (uid, email, role) VALUES ($1, $2, $3)
     ON CONFLICT (uid) DO UPDATE SET email = EXCLUDED.email, role = EXCLUDED.role, updated_at = now()`,
    [user.uid, user.email, user.role],
  );
}

/** Sets the assigned tier; a user without a row gets one as a member, as they were. */
export async function upsertTier(
  db: Queryable,
  user: { uid: string; email: string | null; tier: RateTier | null },
): Promise<void> {
  await db.query(
    `INSERT INTO user_roles (uid, email, role, tier) VALUES ($1, $2, 'member', $3)
     ON CONFLICT (uid) DO UPDATE SET email = EXCLUDED.email, tier = EXCLUDED.tier, updated_at = now()`,
    [user.uid, user.email, user.tier],
  );
}

/** Marks the account disabled or enabled; a user without a row gets one as a member. */
export async function upsertDisabled(
  db: Queryable,
  user: { uid: string; email: string | null; disabled: boolean },
): Promise<void> {
  await db.query(
    `INSERT INTO user_roles (uid, email, role, disabled) VALUES ($1, $2, 'member', $3)
     ON CONFLICT (uid) DO UPDATE SET email = EXCLUDED.email, disabled = EXCLUDED.disabled,
       updated_at = now()`,
    [user.uid, user.email, user.disabled],
  );
}

/** What an API key's record says of its owner: disabled or not, and their own tier. */
export interface OwnerState {
  disabled: boolean;
  tier: RateTier;
}

/** A user's state from their row; a user without a row is an enabled member. */
export function ownerStateOf(
  row: Pick<UserAccess, 'role' | 'tier' | 'disabled'> | undefined,
): OwnerState {
  return {
    disabled: row?.disabled ?? false,
    tier: effectiveTier(row?.role ?? 'member', row?.tier ?? null),
  };
}

/** A user's state before and after `change` to their row (an absent row: an enabled member). */
export function ownerStateChange(
  row: UserAccess | undefined,
  change: Partial<Pick<UserAccess, 'role' | 'tier' | 'disabled'>>,
): { before: OwnerState; after: OwnerState } {
  const now = {
    role: row?.role ?? 'member',
    tier: row?.tier ?? null,
    disabled: row?.disabled ?? false,
  };
  return { before: ownerStateOf(now), after: ownerStateOf({ ...now, ...change }) };
}

export async function ownerState(db: Queryable, uid: string): Promise<OwnerState> {
  return ownerStateOf(await findRole(db, uid));
}

/** Every user's state that has a row: for the reconciler (absent: `ownerStateOf(undefined)`). */
export async function ownerStates(db: Queryable): Promise<Map<string, OwnerState>> {
  const { rows } = await db.query<UserAccess>(
    'SELECT uid, email, role, tier, disabled FROM user_roles',
  );
  return new Map(rows.map((row) => [row.uid, ownerStateOf(row)]));
}

/** Roles and assigned tiers of the given users; a uid without a row is absent from the map. */
export async function accessOf(db: Queryable, uids: string[]): Promise<Map<string, UserAccess>> {
  const { rows } = await db.query<UserAccess>(
    'SELECT uid, email, role, tier, disabled FROM user_roles WHERE uid = ANY($1::text[])',
    [uids],
  );
  return new Map(rows.map((r) => [r.uid, r]));
}

export interface AdminRow {
  uid: string;
  disabled: boolean;
}

/**
 * Locks every admin's row until the transaction ends and returns them. Two changes that could
 * together leave no enabled admin (demotions, disablings) therefore run one after the other,
 * and the second sees the first's outcome (a demoted row no longer matches and drops out of
 * its set; a disabled one says so). Rows are locked in uid order so concurrent callers cannot
 * deadlock.
 */
export async function lockAdmins(tx: Queryable): Promise<AdminRow[]> {
  const { rows } = await tx.query<AdminRow>(
    `SELECT uid, disabled FROM user_roles WHERE role = 'admin' ORDER BY uid FOR UPDATE`,
  );
  return rows;
}

export async function findRoleForUpdate(
  tx: Queryable,
  uid: string,
): Promise<UserAccess | undefined> {
  const { rows } = await tx.query<UserAccess>(
    'SELECT uid, email, role, tier, disabled FROM user_roles WHERE uid = $1 FOR UPDATE',
    [uid],
  );
  return rows[0];
}
