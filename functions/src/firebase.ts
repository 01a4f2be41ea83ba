// One firebase-admin app per instance. In the emulators the SDK finds them through
// FIRESTORE_EMULATOR_HOST and FIREBASE_AUTH_EMULATOR_HOST; nothing here knows the difference.
import { getApp, getApps, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';

export function adminApp(): App {
  return getApps().length > 0 ? getApp() : initializeApp();
}

export function db(): Firestore {
  return getFirestore(adminApp());
}
