// Runs the key reconciler every RECONCILE_INTERVAL_SECONDS inside the server (lib/repeat.ts:
// no overlapping runs; a failed one is logged and retried at the next tick).
import type { Logger } from 'pino';
import { repeat, type Schedule } from '../lib/repeat.js';
import type { ReconcileReport } from './reconcile-keys.js';

export function scheduleReconcile(
  intervalSeconds: number,
  run: () => Promise<ReconcileReport>,
  logger: Logger,
): Schedule {
  return repeat(
    intervalSeconds,
    async () => {
      const report = await run();
      const repaired = report.written + report.deleted > 0;
      logger[repaired ? 'warn' : 'debug']({ reconcile: report }, 'key projection reconciled');
    },
    (error) => logger.error({ err: error }, 'key reconciliation failed'),
  );
}
