// The one place the Firebase client SDK is initialized. The app calls `initFirebase` once the
// runtime config is loaded; everything else reads the same instances through `firebase()`.
import type { RuntimeConfig } from '@colonycraft/protocol';
import { initializeApp, type FirebaseApp } from 'firebase/app';
import {
  browserLocalPersistence,
  browserSessionPersistence,
  connectAuthEmulator,
  indexedDBLocalPersistence,
  initializeAuth,
  type Auth,
} from 'firebase/auth';
import { connectFunctionsEmulator, getFunctions, type Functions } from 'firebase/functions';

export interface FirebaseServices {
  app: FirebaseApp;
  auth: Auth;
  functions: Functions;
  /** True when the app talks to the local emulators rather than a real project. */
  emulated: boolean;
}

let services: FirebaseServices | undefined;

/** Initializes Firebase from the runtime config; later calls return the first instances. */
export function initFirebase(config: RuntimeConfig): FirebaseServices {
  if (services) return services;
  const app = initializeApp(config.firebase);
  // getAuth's persistence without its popup and redirect resolver: the app signs in with a
  // password only, and the resolver loads Google's gapi script and an iframe from the auth
  // domain (on some browsers at start-up), which the Content-Security-Policy does not allow.
  const auth = initializeAuth(app, {
    persistence: [indexedDBLocalPersistence, browserLocalPersistence, browserSessionPersistence],
  });
  const functions = getFunctions(app, config.region);
  if (config.emulators) {
    // The emulator connections must be made before the first call, and only once.
    connectAuthEmulator(auth, config.emulators.auth, { disableWarnings: true });
    connectFunctionsEmulator(
      functions,
      config.emulators.functions.host,
      config.emulators.functions.port,
    );
  }
  services = { app, auth, functions, emulated: Boolean(config.emulators) };
  return services;
}

/** The initialized services; throws if called before `initFirebase`. */
export function firebase(): FirebaseServices {
  if (!services) throw new Error('Firebase is not initialized yet: call initFirebase first.');
  return services;
}
