// Provider keys (OPENAI_API_KEY, …): the secret store holds the values and their versions;
// Postgres holds who added each version through this API and when a rotation disables the old
// ones. A key goes into the store and never comes out again: what the API shows of it is whether
// there is one and, for a key of at least 12 characters, its last four.
//
// A rotation runs in one transaction under a per-provider advisory lock, so two rotations of the
// same provider run one after the other: list the versions, add the new one, record it, schedule
// every other enabled version (but those an earlier rotation made due already) to be disabled at
// now + grace, append `provider_key.rotate`, COMMIT. If anything fails after the store took the
// new version, that version is destroyed again (best effort), so a failed answer leaves the key
// in use unchanged. Disabling happens
// after COMMIT, by the sweeper (`provider-key-sweep.ts`), and at once in the same request for a
// grace of 0: the store has no "enable", so nothing is disabled that a rollback would need back.
import {
  DEFAULT_PROVIDER_KEY_GRACE_SECONDS,
  PROVIDER_KEYS,
  providerKeyInfo,
  type ProviderId,
  type ProviderKeyInfo,
  type ProviderKeyList,
  type ProviderKeyRotation,
  type ProviderKeyStatus,
  type SetProviderKeyRequest,
} from '@colonycraft/protocol';
import type { SecretVersion } from '@colonycraft/secrets';
import { inTransaction } from '../data/db.js';
import {
  findDue,
  insertAddedVersion,
  listVersionRows,
  lockProvider,
  scheduleDisable,
  type ProviderKeyRow,
} from '../data/provider-key-versions.js';
import { appendAudit } from './audit.js';
import type { CallContext } from './call-context.js';
import { SWEEPER, sweepProviderKeys, type ProviderKeyDeps } from './provider-key-sweep.js';
import { storeCall } from './provider-key-store.js';

export type { ProviderKeyDeps } from './provider-key-sweep.js';

/** Keys shorter than this show no last four at all: four would be too much of them. */
export const MIN_LENGTH_FOR_LAST4 = 12;

/** All the API ever tells of a key. */
export interface KeyHint {
  configured: boolean;
  keyLast4: string | null;
}

export function hintOf(value: string | undefined): KeyHint {
  if (value === undefined) return { configured: false, keyLast4: null };
  return {
    configured: true,
    keyLast4: value.length >= MIN_LENGTH_FOR_LAST4 ? value.slice(-4) : null,
  };
}

/** Reads the key in use and keeps only its hint: the value goes no further than this call. */
async function readHint(deps: ProviderKeyDeps, info: ProviderKeyInfo): Promise<KeyHint> {
  const { secrets } = deps;
  return hintOf(
    await storeCall(secrets, `read ${info.secretName}`, () => secrets.access(info.secretName)),
  );
}

const newestFirst = (a: { version: string }, b: { version: string }) =>
  Number(b.version) - Number(a.version);

/** The store's versions (the truth about which exist and their state) with our rows' metadata. */
export function statusOf(
  info: ProviderKeyInfo,
  hint: KeyHint,
  versions: readonly SecretVersion[],
  rows: readonly ProviderKeyRow[],
): ProviderKeyStatus {
  const rowOf = new Map(rows.map((r) => [r.version, r]));
  const lastAdded = rows.filter((r) => r.createdBy !== null).sort(newestFirst)[0];
  return {
    id: info.id,
    displayName: info.displayName,
    secretName: info.secretName,
    configured: hint.configured,
    keyLast4: hint.keyLast4,
    lastRotatedAt: lastAdded?.createdAt ?? null,
    lastRotatedBy: lastAdded?.createdBy ?? null,
    versions: [...versions].sort(newestFirst).map((v) => {
      const row = rowOf.get(v.version);
      const scheduled = v.state === 'enabled' && row !== undefined && row.disabledAt === null;
      return {
        version: v.version,
        state: v.state,
        createdAt: v.createdAt.getTime(),
        createdBy: row?.createdBy ?? null,
        disableAt: scheduled ? row.disableAt : null,
      };
    }),
  };
}

/** `GET /providers`: disables what is due first, then reads every provider's state. */
export async function listProviderKeys(deps: ProviderKeyDeps): Promise<ProviderKeyList> {
  await sweepProviderKeys(deps, SWEEPER);
  const rows = await listVersionRows(deps.pool);
  const { secrets } = deps;
  const providers = await Promise.all(
    PROVIDER_KEYS.map(async (info) => {
      const [hint, versions] = await Promise.all([
        readHint(deps, info),
        storeCall(secrets, `list the versions of ${info.secretName}`, () =>
          secrets.listVersions(info.secretName),
        ),
      ]);
      return statusOf(
        info,
        hint,
        versions,
        rows.filter((r) => r.provider === info.id),
      );
    }),
  );
  return { store: secrets.kind, providers };
}

/** Takes back a version whose rotation failed; a failure here is logged for an operator. */
async function withdraw(deps: ProviderKeyDeps, info: ProviderKeyInfo, version: string) {
  try {
    await deps.secrets.destroyVersion(info.secretName, version);
    deps.logger.warn(
      { provider: info.id, secret: info.secretName, version },
      'provider key rotation failed after the store took the new version; that version was destroyed',
    );
  } catch (error) {
    deps.logger.error(
      {
        provider: info.id,
        secret: info.secretName,
        version,
        reason: error instanceof Error ? error.message : 'unknown',
      },
      'provider key rotation failed and the version it added could not be destroyed: destroy it by hand',
    );
  }
}

/** `PUT /providers/:id/key`. */
export async function rotateProviderKey(
  deps: ProviderKeyDeps,
  ctx: CallContext,
  id: ProviderId,
  request: SetProviderKeyRequest,
): Promise<ProviderKeyRotation> {
  const info = providerKeyInfo(id);
  const { secrets } = deps;
  const name = info.secretName;
  const graceSeconds = request.graceSeconds ?? DEFAULT_PROVIDER_KEY_GRACE_SECONDS;
  // Set inside the transaction; an object so the catch below sees the assignment.
  const taken: { version?: SecretVersion } = {};
  let outcome: { before: SecretVersion[]; disablesVersions: string[]; disableAt: number | null };
  try {
    outcome = await inTransaction(deps.pool, async (tx) => {
      await lockProvider(tx, id);
      // Versions already due (an earlier rotation's grace has ended; a sweeper is on them or
      // will be) are not this rotation's to disable. Read before the store's versions: a
      // sweeper disables a version in the store before it marks it done here, so a version
      // not yet due by the time of this read is either enabled in the store after it, or was
      // disabled there already. Read the other way round, a sweep ending in between left its
      // version enabled in the listing and no longer due, and the rotation replaced it again.
      const due = new Set((await findDue(tx, id)).map((d) => d.version));
      const before = await storeCall(secrets, `list the versions of ${name}`, () =>
        secrets.listVersions(name),
      );
      const enabled = before.filter((v) => v.state === 'enabled');
      const replaced = enabled.filter((v) => !due.has(v.version));
      const added = await storeCall(
        secrets,
        `add a version to ${name}`,
        () => secrets.addVersion(name, request.key),
        request.key,
      );
      taken.version = added;
      await insertAddedVersion(tx, {
        provider: id,
        version: added.version,
        createdBy: ctx.caller.uid,
        createdAt: added.createdAt.getTime(),
      });
      const disablesVersions = replaced.map((v) => v.version);
      const disableAt =
        replaced.length === 0
          ? null
          : await scheduleDisable(
              tx,
              id,
              replaced.map((v) => ({ version: v.version, createdAt: v.createdAt.getTime() })),
              graceSeconds,
            );
      await appendAudit(tx, ctx, {
        action: 'provider_key.rotate',
        target: `provider:${id}`,
        before: { enabledVersions: enabled.map((v) => v.version) },
        after: { version: added.version, graceSeconds, disablesVersions, disableAt },
      });
      return { before, disablesVersions, disableAt };
    });
  } catch (error) {
    if (taken.version) await withdraw(deps, info, taken.version.version);
    throw error;
  }
  const added = taken.version!;

  // Grace 0: the old versions are due now; disable them (and any left over) before answering.
  if (graceSeconds === 0) await sweepProviderKeys(deps, ctx, id);
  // The rotation is committed: a store that fails from here on must not turn it into an error.
  const versions = await secrets.listVersions(name).catch((error: unknown) => {
    deps.logger.warn(
      { provider: id, reason: error instanceof Error ? error.message : 'unknown' },
      'could not re-read the versions after a rotation; answering with those known before it',
    );
    return [added, ...outcome.before];
  });
  const rows = await listVersionRows(deps.pool, id);
  return {
    provider: statusOf(info, hintOf(request.key), versions, rows),
    version: added.version,
    disablesVersions: outcome.disablesVersions,
    disableAt: outcome.disableAt,
  };
}
