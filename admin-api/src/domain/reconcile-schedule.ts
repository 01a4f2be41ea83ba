// Runs the key reconciler every RECONCILE_INTERVAL_SECONDS inside the server. Runs never
// overlap (the next is scheduled when one ends), a failed run is logged and retried at the next
// tick, and `stop()` waits for a run in progress so the pool is not closed under it.
import type { Logger } from 'pino';
import type { ReconcileReport } from './reconcile-keys.js';

export interface Schedule {
  stop(): Promise<void>;
}

export function scheduleReconcile(
  intervalSeconds: number,
  run: () => Promise<ReconcileReport>,
  logger: Logger,
): Schedule {
  if (intervalSeconds <= 0) return { stop: async () => {} };
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = run()
      .then((report) => {
        const repaired = report.written + report.deleted > 0;
        logger[repaired ? 'warn' : 'debug']({ reconcile: report }, 'key projection reconciled');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'key reconciliation failed'))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, intervalSeconds * 1000).unref();
      });
  };
  timer = setTimeout(tick, intervalSeconds * 1000).unref();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
