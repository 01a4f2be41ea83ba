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
