// Firebase Auth calls the app makes, reduced to what the session store needs.
import {
  confirmPasswordReset,
  createUserWithEmailAndPassword,
  onAuthStateChanged,
  sendPasswordResetEmail,
  signInWithEmailAndPassword,
  signOut,
  type Auth,
  type User,
  verifyPasswordResetCode,
} from 'firebase/auth';

export interface SessionUser {
  uid: string;
  email: string | null;
}

function toSessionUser(user: User | null): SessionUser | null {
  return user ? { uid: user.uid, email: user.email } : null;
}

/** Calls `listener` with the signed-in user now and on every change; returns the unsubscribe. */
export function watchUser(auth: Auth, listener: (user: SessionUser | null) => void): () => void {
  return onAuthStateChanged(auth, (user) => listener(toSessionUser(user)));
}

export async function signInWithPassword(
  auth: Auth,
  email: string,
  password: string,
): Promise<SessionUser> {
  const credential = await signInWithEmailAndPassword(auth, email.trim(), password);
  return { uid: credential.user.uid, email: credential.user.email };
}

/** Creates the account and signs it in. */
export async function registerWithPassword(
  auth: Auth,
  email: string,
  password: string,
): Promise<SessionUser> {
  const credential = await createUserWithEmailAndPassword(auth, email.trim(), password);
  return { uid: credential.user.uid, email: credential.user.email };
}

export function sendPasswordReset(auth: Auth, email: string): Promise<void> {
  return sendPasswordResetEmail(auth, email.trim());
}

/** The address a reset link's `oobCode` is for; refused when the code is expired or used. */
export function checkResetCode(auth: Auth, code: string): Promise<string> {
  return verifyPasswordResetCode(auth, code);
}

/** Sets the new password with a reset link's `oobCode` (which it uses up). */
export function finishPasswordReset(auth: Auth, code: string, password: string): Promise<void> {
  return confirmPasswordReset(auth, code, password);
}

export function signOutUser(auth: Auth): Promise<void> {
  return signOut(auth);
}
