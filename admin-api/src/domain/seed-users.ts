// Creates the demo accounts of a local stack: each user in the Auth emulator, their role in
// Postgres and mirrored into their custom claim. Refuses to run against real Firebase Auth.
import { z } from 'zod';
import type { Auth } from 'firebase-admin/auth';
import { DisplayText, Role, describeIssues } from '@colonycraft/protocol';
import type { Queryable } from '../data/db.js';
import { upsertRole } from '../data/user-roles.js';

const SeedUsers = z.array(
  z.object({
    email: z.email(),
    password: z.string().min(6),
    displayName: DisplayText().min(1),
    role: Role,
  }),
);

export async function seedUsers(
  raw: string,
  deps: { auth: Auth; db: Queryable; authEmulator: boolean },
): Promise<string[]> {
  if (!deps.authEmulator) {
    throw new Error(
      'SEED_USERS is only allowed with the Auth emulator (FIREBASE_AUTH_EMULATOR_HOST)',
    );
  }
  const parsed = SeedUsers.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new Error(`SEED_USERS is malformed: ${describeIssues(parsed.error)}`);
  const seeded: string[] = [];
  for (const user of parsed.data) {
    const existing = await deps.auth.getUserByEmail(user.email).catch(() => undefined);
    const record =
      existing ??
      (await deps.auth.createUser({
        email: user.email,
        password: user.password,
        displayName: user.displayName,
        emailVerified: true,
      }));
    await upsertRole(deps.db, { uid: record.uid, email: user.email, role: user.role });
    // Other claims (a tier an admin assigned) survive a restart of the local stack.
    await deps.auth.setCustomUserClaims(record.uid, { ...record.customClaims, role: user.role });
    seeded.push(user.email);
  }
  return seeded;
}
