// The admin API for integration tests: a fresh Postgres database, the Auth emulator with seeded
// users of every role, the Firestore emulator, and the real server on port 0 with its log lines
// captured, so tests can search them for secrets.
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getAuth, type Auth } from 'firebase-admin/auth';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import pg from 'pg';
import type { Role } from '@colonycraft/protocol';
import {
  DEMO_PROJECT_ID,
  createTestDatabase,
  defaultOrFreePorts,
  repoPath,
  signInWithPassword,
  startFirebaseEmulators,
  startFirestoreEmulator,
  type FirebaseEmulators,
  type FirestoreEmulator,
  type TestDatabase,
} from '@colonycraft/testing';
import { loadConfig, type Config } from '../config.js';
import { createLogger } from '../logger.js';
import { start, type RunningServer, type StartOptions } from '../server.js';

/** Two admins, two members, one auditor. */
export const USERS = {
  boss: { role: 'admin' },
  ada: { role: 'admin' },
  pat: { role: 'member' },
  sam: { role: 'member' },
  audra: { role: 'auditor' },
} as const satisfies Record<string, { role: Role }>;
export type UserName = keyof typeof USERS;

export interface Reply<T = unknown> {
  status: number;
  body: T;
  text: string;
}

export interface AdminFixture {
  url: string;
  config: Config;
  authUrl: string;
  databaseUrl: string;
  uid: Record<UserName, string>;
  /** A direct connection as the test server's superuser. */
  sql: pg.Pool;
  /** Firestore and Auth as a separate client sees them. */
  firestore: Firestore;
  auth: Auth;
  /** A fresh ID token (signing in anew, so tokens revoked earlier do not linger). */
  token(user: UserName): Promise<string>;
  call<T = unknown>(
    user: UserName,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Reply<T>>;
  /** Every log line the server wrote so far. */
  logs(): string;
  stop(): Promise<void>;
}

const emailOf = (name: string) => `${name}@example.test`;
const passwordOf = (name: string) => `${name}-password`;

export async function startAdminFixture(
  options: StartOptions & { env?: Record<string, string> } = {},
): Promise<AdminFixture> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const ports = await defaultOrFreePorts('free');
    const emulators: FirebaseEmulators = await startFirebaseEmulators({
      only: ['auth'],
      ports,
      runDir: repoPath('.run', `admin-api-test-${process.pid}-${randomUUID().slice(0, 8)}`),
      env: {},
    });
    stops.push(emulators.stop);
    const firestoreEmulator: FirestoreEmulator = await startFirestoreEmulator();
    stops.push(firestoreEmulator.stop);
    process.env.FIREBASE_AUTH_EMULATOR_HOST = `127.0.0.1:${ports.auth}`;
    // Not on Google Cloud: skip google-auth's metadata-server probe (and its warning).
    process.env.METADATA_SERVER_DETECTION ??= 'none';
    process.env.FIRESTORE_EMULATOR_HOST = firestoreEmulator.host;
    const database: TestDatabase = await createTestDatabase();
    stops.push(database.drop);

    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      GCLOUD_PROJECT: DEMO_PROJECT_ID,
      FIREBASE_AUTH_EMULATOR_HOST: process.env.FIREBASE_AUTH_EMULATOR_HOST,
      FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
      RECONCILE_INTERVAL_SECONDS: '0',
      PROJECTION_TIMEOUT_MS: '5000',
      SEED_USERS: JSON.stringify(
        Object.entries(USERS).map(([name, { role }]) => ({
          email: emailOf(name),
          password: passwordOf(name),
          displayName: name,
          role,
        })),
      ),
      ...options.env,
    });
    const server: RunningServer = await start(config, logger, options);
    stops.push(server.stop);

    const sql = new pg.Pool({ connectionString: database.url, max: 4 });
    stops.push(() => sql.end());
    const app: App = initializeApp({ projectId: DEMO_PROJECT_ID }, `reader-${randomUUID()}`);
    stops.push(() => deleteApp(app));

    const authUrl = emulators.urls.auth!;
    const token = async (user: UserName) =>
      (await signInWithPassword(authUrl, emailOf(user), passwordOf(user))).idToken;
    const uid = {} as Record<UserName, string>;
    for (const name of Object.keys(USERS) as UserName[]) {
      uid[name] = (await signInWithPassword(authUrl, emailOf(name), passwordOf(name))).uid;
    }

    return {
      url: server.url,
      config,
      authUrl,
      databaseUrl: database.url,
      uid,
      sql,
      firestore: getFirestore(app),
      auth: getAuth(app),
      token,
      call: async <T>(user: UserName, method: string, path: string, body?: unknown) => {
        const res = await fetch(`${server.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${await token(user)}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        return { status: res.status, body: (text ? JSON.parse(text) : null) as T, text };
      },
      logs: () => lines.join(''),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
