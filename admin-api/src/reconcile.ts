// `npm run reconcile -w admin-api`: repairs the Firestore key projection from Postgres once and
// prints what it did as JSON. Same configuration as the server (DATABASE_URL, GCLOUD_PROJECT,
// FIRESTORE_EMULATOR_HOST for the emulator). Exits 1 if the run fails, 2 if another instance
// was reconciling at the time.
import { loadConfig } from './config.js';
import { createPool } from './data/db.js';
import { reconcileKeys } from './domain/reconcile-keys.js';
import { createLogger } from './logger.js';
import { keyProjection } from './server.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const pool = createPool(config.databaseUrl, 2);
try {
  const report = await reconcileKeys(pool, keyProjection(config));
  logger.info({ reconcile: report }, 'key projection reconciled');
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exitCode = report.skipped ? 2 : 0;
} catch (error) {
  logger.error({ err: error }, 'key reconciliation failed');
  process.exitCode = 1;
} finally {
  await pool.end();
}
// firebase-admin keeps gRPC channels open; nothing else is left to wait for.
process.exit();
