// Repository for user roles. Parameterized SQL only.
import type { Role } from '@colonycraft/protocol';
import type { Queryable } from './db.js';

export interface UserRole {
  uid: string;
  email: string | null;
  role: Role;
}

export async function findRole(db: Queryable, uid: string): Promise<UserRole | undefined> {
  const { rows } = await db.query<UserRole>(
    'SELECT uid, email, role FROM user_roles WHERE uid = $1',
    [uid],
  );
  return rows[0];
}

export async function upsertRole(db: Queryable, user: UserRole): Promise<void> {
  await db.query(
    `INSERT INTO user_roles (uid, email, role) VALUES ($1, $2, $3)
     ON CONFLICT (uid) DO UPDATE SET email = EXCLUDED.email, role = EXCLUDED.role, updated_at = now()`,
    [user.uid, user.email, user.role],
  );
}

/** Roles of the given users; a uid without a row is absent from the map. */
export async function rolesOf(db: Queryable, uids: string[]): Promise<Map<string, Role>> {
  const { rows } = await db.query<{ uid: string; role: Role }>(
    'SELECT uid, role FROM user_roles WHERE uid = ANY($1::text[])',
    [uids],
  );
  return new Map(rows.map((r) => [r.uid, r.role]));
}

/**
 * Locks every admin's row until the transaction ends and returns their uids. Two role changes
 * that could together remove the last admin therefore run one after the other, and the second
 * sees the first's outcome (a demoted row no longer matches and drops out of its set). Rows
 * are locked in uid order so concurrent callers cannot deadlock.
 */
export async function lockAdmins(tx: Queryable): Promise<string[]> {
  const { rows } = await tx.query<{ uid: string }>(
    `SELECT uid FROM user_roles WHERE role = 'admin' ORDER BY uid FOR UPDATE`,
  );
  return rows.map((r) => r.uid);
}

export async function findRoleForUpdate(tx: Queryable, uid: string): Promise<UserRole | undefined> {
  const { rows } = await tx.query<UserRole>(
    'SELECT uid, email, role FROM user_roles WHERE uid = $1 FOR UPDATE',
    [uid],
  );
  return rows[0];
}
