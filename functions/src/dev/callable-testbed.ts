// For the callables' integration tests: a Firestore emulator, the callables hosted over HTTP
// (http-host.ts), a Firebase client that calls them, and client tokens signed with a key made
// for the test. The callables reach Firestore through the default Admin app (`db()` in
// firebase.ts), so a test file uses one testbed.
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { getFunctions, httpsCallableFromURL, type Functions } from 'firebase/functions';
import { initializeApp as initializeAdminApp } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import type { ClientTokenClaims } from '@colonycraft/protocol';
import { generateTokenKeys, startFirestoreEmulator } from '@colonycraft/testing';
import { issueClientToken } from '../auth/client-token.js';
import { loadSigningKey } from '../auth/signing-keys.js';
import { hostFunctions, type HttpFunction } from './http-host.js';

export interface CallableTestbed<Name extends string> {
  /** The emulator's Firestore, as the callables see it. */
  db: Firestore;
  /** A client token for `uid`: a member with every model, unless `more` says otherwise. */
  tokenFor(uid: string, more?: Partial<ClientTokenClaims>): Promise<string>;
  /** Calls a hosted callable as the Firebase client SDK does, and returns its data. */
  call(name: Name, data: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export async function startCallableTestbed<C extends Record<string, unknown>>(
  callables: C,
  label: string,
): Promise<CallableTestbed<keyof C & string>> {
  const emulator = await startFirestoreEmulator();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  process.env.GCLOUD_PROJECT = 'demo-colonycraft';
  const keys = await generateTokenKeys(label);
  process.env.TOKEN_VERIFY_KEYS = JSON.stringify(keys.verify);
  const signingKey = await loadSigningKey(JSON.stringify(keys.signing));
  const db = getFirestore(initializeAdminApp({ projectId: 'demo-colonycraft' }));
  const handlers: Record<string, HttpFunction> = {};
  for (const [name, fn] of Object.entries(callables)) handlers[name] = fn as HttpFunction;
  const hosted = await hostFunctions(handlers);
  const client: FirebaseApp = initializeApp(
    { apiKey: 'demo-api-key', projectId: 'demo-colonycraft' },
    randomUUID(),
  );
  const functions: Functions = getFunctions(client);
  return {
    db,
    async tokenFor(uid, more = {}) {
      const claims: ClientTokenClaims = {
        sub: uid,
        role: 'member',
        models: ['*'],
        tier: 'standard',
        jti: randomUUID(),
        ...more,
      };
      return (await issueClientToken(claims, signingKey)).token;
    },
    async call(name, data) {
      return (await httpsCallableFromURL(functions, hosted.url(name))(data)).data;
    },
    async close() {
      await deleteApp(client);
      await hosted.close();
      await emulator.stop();
    },
  };
}
