// The provider-key sweeper: disables the versions whose disable_at (a rotation's grace end) has
// passed, sets disabled_at and appends `provider_key.disable`, one version per transaction.
// Each due row is locked FOR UPDATE SKIP LOCKED, so several instances (or a request and the
// timer) never disable the same version twice nor wait for each other. A version the store
// cannot disable now stays due and is tried again on the next run.
//
// It runs every PROVIDER_KEY_SWEEP_SECONDS in the server (runs never overlap; `stop()` waits for
// one in progress), before GET /providers answers, and in a rotation with a grace of 0.
import type pg from 'pg';
import type { Logger } from 'pino';
import { providerKeyInfo, type ProviderId } from '@colonycraft/protocol';
import { SecretStoreError, type SecretStore } from '@colonycraft/secrets';
import { inTransaction } from '../data/db.js';
import { findDue, lockDue, markDisabled } from '../data/provider-key-versions.js';
import { appendAudit, type AuditOrigin } from './audit.js';
import { repeat, type Schedule } from '../lib/repeat.js';

export interface ProviderKeyDeps {
  pool: pg.Pool;
  secrets: SecretStore;
  logger: Logger;
}

/** The sweeper's name in the audit log. */
export const SWEEPER: AuditOrigin = {
  actor: 'system:provider-key-sweeper',
  ip: null,
  requestId: null,
};

export interface SweepReport {
  disabled: { provider: ProviderId; version: string }[];
  /** Versions still due because the store failed; retried on the next run. */
  failed: number;
}

/**
 * Disables one version in the store. A version that is already gone for good (destroyed, or no
 * longer in the store) counts as done: there is nothing left to disable.
 */
async function disableInStore(
  secrets: SecretStore,
  name: string,
  version: string,
): Promise<'disabled' | 'destroyed' | 'missing'> {
  try {
    await secrets.disableVersion(name, version);
    return 'disabled';
  } catch (error) {
    if (!(error instanceof SecretStoreError)) throw error;
    if (error.code === 'not-found') return 'missing';
    if (error.code !== 'failed-precondition') throw error;
    const found = (await secrets.listVersions(name)).find((v) => v.version === version);
    if (!found) return 'missing';
    if (found.state === 'destroyed' || found.state === 'disabled') return found.state;
    throw error;
  }
}

/** Disables every due version (of one provider, when given); never throws for a store failure. */
export async function sweepProviderKeys(
  deps: ProviderKeyDeps,
  origin: AuditOrigin,
  only?: ProviderId,
): Promise<SweepReport> {
  const report: SweepReport = { disabled: [], failed: 0 };
  for (const { provider, version } of await findDue(deps.pool, only)) {
    const { secretName } = providerKeyInfo(provider);
    try {
      const done = await inTransaction(deps.pool, async (tx) => {
        const row = await lockDue(tx, provider, version);
        if (!row) return false;
        const state = await disableInStore(deps.secrets, secretName, version);
        await markDisabled(tx, provider, version);
        await appendAudit(tx, origin, {
          action: 'provider_key.disable',
          target: `provider:${provider}`,
          before: { version, disableAt: row.disableAt },
          after: { version, state },
        });
        return true;
      });
      if (done) report.disabled.push({ provider, version });
    } catch (error) {
      report.failed += 1;
      deps.logger.warn(
        {
          provider,
          secret: secretName,
          version,
          store: deps.secrets.kind,
          reason: error instanceof Error ? error.message : 'unknown',
        },
        'could not disable a provider key version whose grace ended; retrying on the next sweep',
      );
    }
  }
  return report;
}

/** Runs `run` every `intervalSeconds` (0: never), the next run scheduled when one ends. */
export function scheduleProviderKeySweep(
  intervalSeconds: number,
  run: () => Promise<SweepReport>,
  logger: Logger,
): Schedule {
  return repeat(
    intervalSeconds,
    async () => {
      const report = await run();
      if (report.disabled.length > 0) {
        logger.info({ disabled: report.disabled }, 'provider key versions disabled');
      }
    },
    (error) => logger.error({ err: error }, 'provider key sweep failed'),
  );
}
