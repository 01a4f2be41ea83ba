// Starts and stops the admin API: connect to Postgres, migrate, seed (local stacks only),
// schedule the key reconciler, listen. Tests call start() with port 0 and talk to the real
// HTTP API.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { getApps, initializeApp, type App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore } from 'firebase-admin/firestore';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { createPool } from './data/db.js';
import { firestoreKeyProjection, type KeyProjection } from './data/key-projection.js';
import { migrate } from './data/migrate.js';
import { reconcileKeys } from './domain/reconcile-keys.js';
import { scheduleReconcile } from './domain/reconcile-schedule.js';
import { seedUsers } from './domain/seed-users.js';
import { createLogger } from './logger.js';

export { createLogger } from './logger.js';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Tests wrap the real projection to make Firestore fail or slow on purpose. */
  wrapProjection?: (projection: KeyProjection) => KeyProjection;
}

export function firebaseApp(projectId: string | undefined): App {
  const name = `admin-api-${projectId ?? 'default'}`;
  return (
    getApps().find((a) => a.name === name) ?? initializeApp(projectId ? { projectId } : {}, name)
  );
}

/** The Firestore projection as configured: the emulator when FIRESTORE_EMULATOR_HOST is set. */
export function keyProjection(config: Config): KeyProjection {
  return firestoreKeyProjection(
    getFirestore(firebaseApp(config.projectId)),
    config.projectionTimeoutMs,
  );
}

export async function start(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
  options: StartOptions = {},
): Promise<RunningServer> {
  const pool = createPool(config.databaseUrl, config.databasePoolSize);
  const auth = getAuth(firebaseApp(config.projectId));
  const real = keyProjection(config);
  const projection = options.wrapProjection ? options.wrapProjection(real) : real;
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
    server = createServer(createApp({ config, pool, auth, projection, logger }));
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.port, config.host, resolve);
    });
  } catch (error) {
    server?.close();
    await pool.end();
    throw error;
  }
  const reconciler = scheduleReconcile(
    config.reconcileIntervalSeconds,
    () => reconcileKeys(pool, projection),
    logger,
  );
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url }, `admin API listening on ${url}`);
  return {
    url,
    stop: async () => {
      await reconciler.stop();
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        server!.closeAllConnections();
      });
      await pool.end();
    },
  };
}
