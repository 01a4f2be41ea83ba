// `drainUsageLedger`: every minute, moves to Firestore the usage records that no instance
// drained after settling them (an instance that died, or whose CPU was throttled once it had
// answered), and forgets long-idle drainers. See ledger-drain.ts.
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { logger } from 'firebase-functions/logger';
import { GATEWAY_SERVICE_ACCOUNT } from '../service-accounts.js';
import { instanceLedgerDrainer } from './ledger-drain.js';

export const drainUsageLedger = onSchedule(
  // It reaches the same Redis and Firestore as the gateway, and reads no provider key.
  { schedule: 'every 1 minutes', serviceAccount: GATEWAY_SERVICE_ACCOUNT, timeoutSeconds: 300 },
  async () => {
    const drainer = instanceLedgerDrainer();
    // Without Redis, usage is written to Firestore directly: there is nothing to drain.
    if (!drainer) return;
    const taken = await drainer.sweep();
    if (taken > 0) logger.info('usage ledger drained', { taken });
  },
);
