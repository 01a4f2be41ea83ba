// One firebase-admin app per instance. In the emulators the SDK finds them through
// FIRESTORE_EMULATOR_HOST and FIREBASE_AUTH_EMULATOR_HOST; nothing here knows the difference.
import { getApp, getApps, initializeApp, type App } from 'firebase-admin/app';
import { createRequire } from 'node:module';
import type { Firestore } from 'firebase-admin/firestore';

type FirestoreSdk = typeof import('firebase-admin/firestore');
let firestore: FirestoreSdk | undefined;

/**
 * `firebase-admin/firestore`, loaded on first use rather than at start-up: it takes about
 * 0.4 s to load, which a cold instance's first token does not need (`/v1` writes usage after
 * the answer; client tokens need no Firestore at all).
 */
export function firestoreSdk(): FirestoreSdk {
  return (firestore ??= createRequire(import.meta.url)('firebase-admin/firestore') as FirestoreSdk);
}

export function adminApp(): App {
  return getApps().length > 0 ? getApp() : initializeApp();
}

export function db(): Firestore {
  return firestoreSdk().getFirestore(adminApp());
}
