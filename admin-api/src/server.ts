// Starts and stops the admin API: connect to Postgres, migrate, seed (local stacks only),
// listen. Tests call start() with port 0 and talk to the real HTTP API.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { getApps, initializeApp, type App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { pino, type Logger } from 'pino';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { createPool } from './data/db.js';
import { migrate } from './data/migrate.js';
import { seedUsers } from './domain/seed-users.js';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.key', '*.apiKey'],
      censor: '[redacted]',
    },
  });
}

function firebaseApp(projectId: string | undefined): App {
  const name = `admin-api-${projectId ?? 'default'}`;
  return (
    getApps().find((a) => a.name === name) ?? initializeApp(projectId ? { projectId } : {}, name)
  );
}

export async function start(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
): Promise<RunningServer> {
  const pool = createPool(config.databaseUrl, config.databasePoolSize);
  const auth = getAuth(firebaseApp(config.projectId));
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
    server = createServer(createApp({ config, db: pool, auth, logger }));
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.port, config.host, resolve);
    });
  } catch (error) {
    server?.close();
    await pool.end();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url }, `admin API listening on ${url}`);
  return {
    url,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        server!.closeAllConnections();
      });
      await pool.end();
    },
  };
}
