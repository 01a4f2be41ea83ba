// Starts and stops the admin API: connect to Postgres, migrate, seed (local stacks only),
// schedule the key reconciler and the provider-key sweeper, listen. Stopping drains: no new
// connections, in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS), then the reconciler, the
// sweeper, the pool and the secret store stop. Tests call start() with port 0 and talk to the
// real HTTP API.
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { getApps, initializeApp, type App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore } from 'firebase-admin/firestore';
import type { Logger } from 'pino';
import {
  createGoogleSecretStore,
  createLocalSecretStore,
  type SecretStore,
} from '@colonycraft/secrets';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { createPool } from './data/db.js';
import { firestoreKeyProjection, type KeyProjection } from './data/key-projection.js';
import { noDenylist, redisDenylist } from './data/token-denylist.js';
import { migrate } from './data/migrate.js';
import {
  SWEEPER,
  scheduleProviderKeySweep,
  sweepProviderKeys,
} from './domain/provider-key-sweep.js';
import { firestoreUsageLedger, type UsageLedger } from './data/usage-ledger.js';
import { reconcileKeys } from './domain/reconcile-keys.js';
import { scheduleReconcile } from './domain/reconcile-schedule.js';
import { seedUsers } from './domain/seed-users.js';
import { createLogger } from './logger.js';

export { createLogger } from './logger.js';

export interface RunningServer {
  url: string;
  /** Drains and stops; calling it again returns the same promise. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Tests wrap the real projection to make Firestore fail or slow on purpose. */
  wrapProjection?: (projection: KeyProjection) => KeyProjection;
  /** The same for the usage reads. */
  wrapUsage?: (usage: UsageLedger) => UsageLedger;
  /** A secret store to use instead of the one the config describes; its owner closes it. */
  secretStore?: SecretStore;
  /** How long a provider key check may take (10 s). */
  providerCheckTimeoutMs?: number;
}

export function firebaseApp(projectId: string | undefined): App {
  const name = `admin-api-${projectId ?? 'default'}`;
  return (
    getApps().find((a) => a.name === name) ?? initializeApp(projectId ? { projectId } : {}, name)
  );
}

/**
 * Stops accepting connections and waits for the requests in flight; after `timeoutMs` the
 * connections still open are cut. Idle keep-alive connections are closed at once, and each
 * connection as soon as its request is answered, so clients reconnect elsewhere.
 */
function drain(server: Server, timeoutMs: number, logger: Logger): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      logger.warn({ timeoutMs }, 'shutdown timeout: cutting the connections still open');
      server.closeAllConnections();
    }, timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** The Firestore projection as configured: the emulator when FIRESTORE_EMULATOR_HOST is set. */
export function keyProjection(config: Config): KeyProjection {
  return firestoreKeyProjection(
    getFirestore(firebaseApp(config.projectId)),
    config.projectionTimeoutMs,
  );
}

/** The secret store the config describes: Secret Manager, or the sealed local file. */
export function secretStoreOf(config: Config): SecretStore {
  if (config.secretStore === 'google') {
    // loadConfig refuses `google` without a project; a config built by hand may still lack it.
    const projectId = config.secretManagerProject;
    if (!projectId) throw new Error('SECRET_STORE=google needs SECRET_MANAGER_PROJECT');
    return createGoogleSecretStore({ projectId });
  }
  const { dotenvPath, file, key } = config.localSecrets;
  return createLocalSecretStore({ dotenvPath, file, key });
}

export async function start(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
  options: StartOptions = {},
): Promise<RunningServer> {
  const secrets = options.secretStore ?? secretStoreOf(config);
  const closeSecrets = options.secretStore ? async () => {} : () => secrets.close();
  const pool = createPool(config.databaseUrl, config.databasePoolSize);
  const auth = getAuth(firebaseApp(config.projectId));
  const real = keyProjection(config);
  const projection = options.wrapProjection ? options.wrapProjection(real) : real;
  const denylist = config.redisUrl ? redisDenylist(config.redisUrl) : noDenylist;
  const ledger = firestoreUsageLedger(
    getFirestore(firebaseApp(config.projectId)),
    config.projectionTimeoutMs,
  );
  const usage = options.wrapUsage ? options.wrapUsage(ledger) : ledger;
  let draining = false;
  let server: Server | undefined;
  try {
    const applied = await migrate(pool);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    if (config.seedUsers) {
      const seeded = await seedUsers(config.seedUsers, {
        auth,
        db: pool,
        authEmulator: config.authEmulator,
      });
      logger.info({ seeded }, 'demo users seeded');
    }
    const { app } = createApp({
      config,
      pool,
      auth,
      projection,
      denylist,
      usage,
      logger,
      draining: () => draining,
      secrets,
      ...(options.providerCheckTimeoutMs === undefined
        ? {}
        : { providerCheckTimeoutMs: options.providerCheckTimeoutMs }),
    });
    server = createServer(app);
    // A connection whose request is answered while draining is closed instead of kept alive.
    server.on('request', (_req, res: ServerResponse) => {
      res.once('finish', () => {
        if (draining) setImmediate(() => server!.closeIdleConnections());
      });
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.port, config.host, resolve);
    });
  } catch (error) {
    server?.close();
    await pool.end();
    await closeSecrets().catch(() => undefined);
    throw error;
  }
  const reconciler = scheduleReconcile(
    config.reconcileIntervalSeconds,
    () => reconcileKeys(pool, projection),
    logger,
  );
  const sweeper = scheduleProviderKeySweep(
    config.providerKeySweepSeconds,
    () => sweepProviderKeys({ pool, secrets, logger }, SWEEPER),
    logger,
  );
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url }, `admin API listening on ${url}`);
  if (config.metricsToken === undefined && !config.authEmulator) {
    logger.warn('METRICS_TOKEN is unset: /metrics is open to anyone who can reach the service');
  }
  const listening = server;
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    draining = true;
    await Promise.all([
      drain(listening, config.shutdownTimeoutMs, logger),
      reconciler.stop(),
      sweeper.stop(),
    ]);
    await pool.end();
    await denylist.close();
    await closeSecrets();
    logger.info('admin API stopped');
  };
  return { url, stop: () => (stopped ??= stop()) };
}
