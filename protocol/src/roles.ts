// Roles for role-based access control. The admin API's Postgres is the system of record; the
// role is mirrored into the Firebase custom claim `role` and into client tokens.
import { z } from 'zod';

export const Role = z.enum(['admin', 'member', 'auditor']);
export type Role = z.infer<typeof Role>;

export const RateTier = z.enum(['free', 'standard', 'unlimited']);
export type RateTier = z.infer<typeof RateTier>;

/**
 * The tier a user's calls are limited at: the one an admin assigned (mirrored into the `tier`
 * claim), else `unlimited` for admins and `standard` for everyone else.
 */
export function effectiveTier(role: Role, assigned: RateTier | null | undefined): RateTier {
  return assigned ?? (role === 'admin' ? 'unlimited' : 'standard');
}
