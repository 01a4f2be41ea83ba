// The container's entry point: start, and on SIGTERM (Cloud Run, Kubernetes) or Ctrl-C drain
// and stop: no new connections, requests in flight finish within SHUTDOWN_TIMEOUT_MS, then the
// reconciler and the pool stop. A second signal exits at once.
import { loadConfig } from './config.js';
import { createLogger, start } from './server.js';
import { startTelemetry } from './telemetry.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);
// Traces over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set; nothing loaded otherwise.
const tracing = await startTelemetry();
const server = await start(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, 'admin API failed to start');
  process.exit(1);
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'draining');
    server
      .stop()
      .then(() => tracing?.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'stopping failed');
          process.exit(1);
        },
      );
  });
}
