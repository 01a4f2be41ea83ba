// The container's entry point: start, and stop cleanly on SIGTERM (Cloud Run, Kubernetes) or
// Ctrl-C.
import { loadConfig } from './config.js';
import { createLogger, start } from './server.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const server = await start(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, 'admin API failed to start');
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    void server.stop().then(() => process.exit(0));
  });
}
