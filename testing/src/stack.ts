// The whole local stack in one call: the Firestore emulator, Postgres (the configured server or
// an embedded PGlite), the Auth, Functions and Hosting emulators, and the admin API, with demo
// users seeded. `npm start` runs it on the ports in firebase.json; tests run it on free ports.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_CONFIG_PATH, type RuntimeConfig } from '@colonycraft/protocol';
import { startChild, type Child } from './child.js';
import { DEMO_USERS, type DemoUser } from './demo-users.js';
import { startEmbeddedPostgresServer } from './embedded-postgres.js';
import {
  defaultOrFreePorts,
  startFirebaseEmulators,
  type EmulatorName,
} from './firebase-emulators.js';
import { startFirestoreEmulator } from './firestore-emulator.js';
import { freePort } from './free-port.js';
import { startFunctionsFront, startFunctionsHost } from './functions-front.js';
import { DEMO_PROJECT_ID, repoPath } from './repo.js';
import { ensureLocalFunctionEnv } from './token-keys.js';

export interface StackOptions {
  /** `default`: the ports in firebase.json (for `npm start`); `free`: any free ports (tests). */
  ports: 'default' | 'free';
  /** Serve the web app's build through the Hosting emulator. */
  web: boolean;
  /** Postgres for the admin API; unset means an embedded PGlite. */
  databaseUrl?: string | undefined;
  /** Redis for rate limits; unset means the in-process store. */
  redisUrl?: string | undefined;
  adminApiPort?: number;
  firestorePort?: number;
  /** Every line the services print, for a console or a log file. */
  onLine?: (source: string, line: string) => void;
  /**
   * The sealed file where provider keys set in the admin console are kept, and its key (32
   * bytes, base64). Unset: a file of this stack's own, gone when it stops.
   */
  localSecrets?: { file: string; key: string };
  /** More environment for the functions and the admin API (e.g. a provider's base URL). */
  env?: Record<string, string>;
}

export interface Stack {
  projectId: string;
  urls: {
    web?: string;
    auth: string;
    functions: string;
    firestore: string;
    adminApi: string;
  };
  /** Environment that points a firebase-admin or client SDK at this stack. */
  env: Record<string, string>;
  runtimeConfig: RuntimeConfig;
  /** Which embedded stand-ins are in use, in words for the banner. */
  defaults: string[];
  demoUsers: readonly DemoUser[];
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
    stops.length = 0;
  };
  const log = (source: string) => (line: string) => options.onLine?.(source, line);
  try {
    const runDir = repoPath('.run', `stack-${process.pid}-${Date.now().toString(36)}`);
    mkdirSync(runDir, { recursive: true });
    stops.push(async () => rmSync(runDir, { recursive: true, force: true }));
    const defaults: string[] = [];

    await ensureLocalFunctionEnv(repoPath('functions'));
    const firestore = await startFirestoreEmulator(
      options.firestorePort ?? (options.ports === 'free' ? await freePort() : 8080),
    );
    stops.push(firestore.stop);

    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      // A connection's query or transaction at a time: pglite-socket alone mixes concurrent
      // requests' parameterized queries (see startEmbeddedPostgresServer).
      const embedded = await startEmbeddedPostgresServer();
      stops.push(embedded.stop);
      databaseUrl = embedded.url;
      defaults.push('Postgres: embedded PGlite (in memory; set DATABASE_URL to use a server)');
    }
    if (!options.redisUrl) {
      defaults.push('rate limits: in-process store per instance (set REDIS_URL to use Redis)');
    }
    defaults.push(
      'models: the built-in local provider; an admin adds provider keys under Admin → Providers',
    );
    const localSecrets = options.localSecrets ?? {
      file: join(runDir, 'provider-keys.sealed.json'),
      key: randomBytes(32).toString('base64'),
    };

    const ports = await defaultOrFreePorts(options.ports);
    const adminApiPort =
      options.adminApiPort ?? (options.ports === 'free' ? await freePort() : 8081);
    const adminApiUrl = `http://127.0.0.1:${adminApiPort}`;
    const runtimeConfig: RuntimeConfig = {
      firebase: {
        apiKey: 'demo-api-key',
        authDomain: `${DEMO_PROJECT_ID}.firebaseapp.com`,
        projectId: DEMO_PROJECT_ID,
      },
      region: 'us-central1',
      adminApiUrl,
      emulators: {
        auth: `http://127.0.0.1:${ports.auth}`,
        functions: { host: '127.0.0.1', port: ports.functions },
      },
    };

    let publicDir: string | undefined;
    if (options.web) {
      const build = repoPath('web', 'build');
      if (!existsSync(join(build, 'index.html'))) {
        throw new Error('web/build is missing: run `npm run build` first');
      }
      publicDir = join(runDir, 'public');
      cpSync(build, publicDir, { recursive: true });
      writeFileSync(join(publicDir, RUNTIME_CONFIG_PATH), JSON.stringify(runtimeConfig, null, 2));
    }

    const webOrigin = `http://127.0.0.1:${ports.hosting}`;
    const emulatorEnv = {
      FIRESTORE_EMULATOR_HOST: firestore.host,
      FIREBASE_AUTH_EMULATOR_HOST: `127.0.0.1:${ports.auth}`,
      GCLOUD_PROJECT: DEMO_PROJECT_ID,
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      // Provider keys: `functions/.secret.local`, then what admins set, sealed in a file.
      SECRET_STORE: 'local',
      LOCAL_SECRETS_DOTENV: repoPath('functions', '.secret.local'),
      LOCAL_SECRETS_FILE: localSecrets.file,
      LOCAL_SECRETS_KEY: localSecrets.key,
      ...options.env,
    };
    const only: EmulatorName[] = options.web
      ? ['auth', 'functions', 'hosting']
      : ['auth', 'functions'];
    // The emulator listens on a port of its own; the stack's functions port is the front that
    // sends /v1 to the plain host (functions-front.ts).
    const emulatorPorts = { ...ports, functions: await freePort() };
    const emulators = await startFirebaseEmulators({
      only,
      ports: emulatorPorts,
      runDir,
      ...(publicDir ? { publicDir } : {}),
      connectOrigins: [
        runtimeConfig.emulators!.auth,
        `http://127.0.0.1:${ports.functions}`,
        adminApiUrl,
      ],
      env: emulatorEnv,
      onLine: log('firebase'),
    });
    stops.push(emulators.stop);
    const v1Port = await freePort();
    const v1Host = await startFunctionsHost({
      port: v1Port,
      env: emulatorEnv,
      onLine: log('functions-host'),
    });
    stops.push(v1Host.stop);
    const front = await startFunctionsFront({
      port: ports.functions,
      emulatorPort: emulatorPorts.functions,
      v1Port,
      projectId: DEMO_PROJECT_ID,
      region: runtimeConfig.region,
    });
    stops.push(front.stop);

    const adminApi = await startAdminApi({
      env: {
        ...emulatorEnv,
        // It trusts the Auth emulator's unsigned tokens: reachable from this machine only.
        HOST: '127.0.0.1',
        PORT: String(adminApiPort),
        DATABASE_URL: databaseUrl,
        CORS_ORIGINS: [webOrigin, `http://localhost:${ports.hosting}`].join(','),
        SEED_USERS: JSON.stringify(DEMO_USERS),
      },
      onLine: log('admin-api'),
    });
    stops.push(adminApi.stop);

    return {
      projectId: DEMO_PROJECT_ID,
      urls: {
        ...(options.web ? { web: webOrigin } : {}),
        auth: emulators.urls.auth!,
        functions: front.url,
        firestore: `http://${firestore.host}`,
        adminApi: adminApiUrl,
      },
      env: emulatorEnv,
      runtimeConfig,
      defaults,
      demoUsers: DEMO_USERS,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The built admin API as a child process, as the stack runs it, with `env` for its
 * configuration (at least `PORT`, `DATABASE_URL` and the emulators'); resolves once it listens.
 */
export async function startAdminApi(options: {
  env: Record<string, string>;
  onLine: (line: string) => void;
}): Promise<Child> {
  const main = repoPath('admin-api', 'dist', 'main.js');
  if (!existsSync(main)) throw new Error('admin-api/dist is missing: run `npm run build` first');
  const child = startChild('admin API', process.execPath, [main], {
    cwd: repoPath('admin-api'),
    env: { ...process.env, ...options.env },
    onLine: options.onLine,
  });
  try {
    await child.waitForLine(/admin API listening/, 60_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return child;
}
