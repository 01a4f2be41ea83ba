// The one place the Firebase client SDK is initialized. The app calls `initFirebase` once the
// runtime config is loaded (the app and Auth: all the account pages need), and `initFunctions`
// once someone signs in; everything else reads the same instances through `firebase()`.
// The Functions SDK is imported only then, so the sign-in page loads without it.
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
import type { Functions } from 'firebase/functions';

export interface FirebaseServices {
  app: FirebaseApp;
  auth: Auth;
  functions: Functions;
  /** True when the app talks to the local emulators rather than a real project. */
  emulated: boolean;
}

export type FirebaseAuthServices = Omit<FirebaseServices, 'functions'>;

let started: (FirebaseAuthServices & { config: RuntimeConfig }) | undefined;
let sdk: Promise<typeof import('firebase/functions')> | undefined;
let withFunctions: Promise<FirebaseServices> | undefined;
let services: FirebaseServices | undefined;

/** Initializes the app and Auth from the runtime config; later calls return the first ones. */
export function initFirebase(config: RuntimeConfig): FirebaseAuthServices {
  if (started) return started;
  const app = initializeApp(config.firebase);
  // getAuth's persistence without its popup and redirect resolver: the app signs in with a
  // password only, and the resolver loads Google's gapi script and an iframe from the auth
  // domain (on some browsers at start-up), which the Content-Security-Policy does not allow.
  const auth = initializeAuth(app, {
    persistence: [indexedDBLocalPersistence, browserLocalPersistence, browserSessionPersistence],
  });
  // The emulator connection must be made before the first call, and only once.
  if (config.emulators) connectAuthEmulator(auth, config.emulators.auth, { disableWarnings: true });
  started = { app, auth, emulated: Boolean(config.emulators), config };
  return started;
}

/** Starts loading the Functions SDK, which `initFunctions` needs, before Firebase is started. */
export function loadFunctionsSdk(): Promise<typeof import('firebase/functions')> {
  sdk ??= import('firebase/functions').catch((error: unknown) => {
    sdk = undefined; // a chunk that failed to load is fetched again next time
    throw error;
  });
  return sdk;
}

/** Adds Cloud Functions (loading its SDK) after `initFirebase`; later calls share the first. */
export function initFunctions(): Promise<FirebaseServices> {
  const base = started;
  if (!base)
    return Promise.reject(new Error('Firebase is not initialized yet: call initFirebase first.'));
  withFunctions ??= loadFunctionsSdk().then(
    ({ connectFunctionsEmulator, getFunctions }) => {
      const { config, ...rest } = base;
      const functions = getFunctions(rest.app, config.region);
      if (config.emulators) {
        connectFunctionsEmulator(
          functions,
          config.emulators.functions.host,
          config.emulators.functions.port,
        );
      }
      services = { ...rest, functions };
      return services;
    },
    (error: unknown) => {
      withFunctions = undefined;
      throw error;
    },
  );
  return withFunctions;
}

/** The initialized services; throws if called before `initFirebase` and `initFunctions`. */
export function firebase(): FirebaseServices {
  if (!services) {
    throw new Error('Firebase is not initialized yet: call initFirebase and initFunctions first.');
  }
  return services;
}
