// Checks the account forms (register, reset password) can make before asking Firebase Auth, and
// the one answer a reset request gives, whatever happened, so the page never tells who has an
// account.
import { codeOf, describeError, type UserError } from './errors.ts';

/** Firebase Auth refuses shorter passwords (`auth/weak-password`); say so before asking. */
export const MIN_PASSWORD_LENGTH = 6;

export interface Registration {
  email: string;
  password: string;
  confirm: string;
}

/** What is wrong with the registration form, or `undefined` when it can be sent. */
export function validateRegistration({
  email,
  password,
  confirm,
}: Registration): UserError | undefined {
  if (email.trim() === '') return { summary: 'Enter your email address.' };
  if (password === '') return { summary: 'Choose a password.' };
  if (password.length < MIN_PASSWORD_LENGTH) {
    return { summary: `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.` };
  }
  if (password !== confirm)
    return { summary: 'The passwords do not match. Type the same one twice.' };
  return undefined;
}

/** What is wrong with a new password chosen from a reset link, or `undefined` when it can be set. */
export function validateNewPassword({
  password,
  confirm,
}: Omit<Registration, 'email'>): UserError | undefined {
  return validateRegistration({ email: '-', password, confirm });
}

/** The confirmation a reset request shows, whether or not the address has an account. */
export const RESET_CONFIRMATION =
  'If an account exists for that address, a reset link is on its way.';

/**
 * How a reset request ends: the neutral confirmation, unless the failure is one the person can
 * fix (a malformed address, no connection, too many attempts). "No such user" is never told.
 */
export function resetOutcome(error?: unknown): { sent: true } | { sent: false; error: UserError } {
  if (error === undefined) return { sent: true };
  const code = codeOf(error);
  if (
    code === 'auth/invalid-email' ||
    code === 'auth/missing-email' ||
    code === 'auth/network-request-failed' ||
    code === 'auth/too-many-requests'
  ) {
    return { sent: false, error: describeError(error) };
  }
  return { sent: true };
}
