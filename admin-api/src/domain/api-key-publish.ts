// Getting keys into Firestore, and what happens when Firestore says no. Two rules:
// - a new key is published after its commit (Postgres first: no record without a row);
// - a restriction (revocation, a grace end) is published before its commit, inside the
//   transaction, so success is never reported while Firestore still accepts the key.
import type pg from 'pg';
import {
  clearGrace,
  findKey,
  lockOwnerKeys,
  markRevoked,
  ownerKeysForUpdate,
  type StoredApiKey,
} from '../data/api-keys.js';
import { inTransaction, type Queryable, type Undo } from '../data/db.js';
import { projectionOf, type KeyProjection } from '../data/key-projection.js';
import { ownerState, type OwnerState } from '../data/user-roles.js';
import { auditView, keyTarget, projectionUnavailable, type KeyDeps } from './api-key-views.js';
import { appendAudit } from './audit.js';
import type { CallContext } from './call-context.js';

/**
 * Writes a key's record from inside the caller's transaction, which holds the key's row lock,
 * turning a Firestore failure into a 503 (the cause is logged). The owner's state (disabled,
 * tier) is read here, in a statement of its own after that lock: a change of it in flight has
 * either committed (and this sees it) or is still to lock this row and mark the record after us.
 */
export async function putProjection(
  deps: KeyDeps,
  tx: Queryable,
  key: StoredApiKey,
): Promise<void> {
  const owner = await ownerState(tx, key.owner);
  try {
    await deps.projection.put(key.hash, projectionOf(key, owner));
  } catch (error) {
    throw projectionUnavailable('Firestore did not take the change, so nothing changed.', error);
  }
}

/** Rewrites the records of one owner's keys with the owner's state, a few writes at a time. */
async function putOwnerState(
  projection: KeyProjection,
  keys: StoredApiKey[],
  owner: OwnerState,
): Promise<void> {
  for (let i = 0; i < keys.length; i += 20) {
    await Promise.all(
      keys.slice(i, i + 20).map((key) => projection.put(key.hash, projectionOf(key, owner))),
    );
  }
}

/**
 * Inside a change of a user's state (disabled, role, tier) that has written their row: the
 * records of all their keys get the new state, and `undo` puts the old one back if a later step
 * fails. Under the owner's lock, so a key published meanwhile waits and reads the new state
 * (see `lockOwnerKeys`).
 */
export async function publishOwnerState(
  projection: KeyProjection,
  tx: Queryable,
  uid: string,
  change: { before: OwnerState; after: OwnerState },
  undo: Undo,
): Promise<void> {
  await lockOwnerKeys(tx, uid, 'exclusive');
  const keys = await ownerKeysForUpdate(tx, uid);
  if (keys.length === 0) return;
  undo(() => putOwnerState(projection, keys, change.before));
  await putOwnerState(projection, keys, change.after).catch((error: unknown) => {
    throw projectionUnavailable('Firestore did not take the change, so nothing changed.', error);
  });
}

/**
 * Publishes a new key's record after its commit. If Firestore refuses, the key is revoked in
 * Postgres (audited) before answering 503: its secret was never shown, so revoking it loses
 * nothing, and the reconciler later projects it as revoked. With `rotatedFrom`, the old key's
 * grace is cleared again too, so a failed rotation leaves the old key as it was (in Postgres at
 * once; in Firestore, whose record already carries the grace end, at the next reconcile).
 *
 * The record is written from the row re-read under its lock, and under the owner's lock shared
 * (`lockOwnerKeys`): a revocation or a disabling of the owner that came in since the commit is
 * then either in the row read here or waits and writes its record after this one.
 */
export async function publishCreated(
  deps: KeyDeps,
  ctx: CallContext,
  created: StoredApiKey,
  rotatedFrom?: string,
): Promise<void> {
  try {
    await inTransaction(deps.pool, async (tx) => {
      await lockOwnerKeys(tx, created.owner, 'shared');
      const key = (await findKey(tx, created.id, { forUpdate: true })) ?? created;
      await deps.projection.put(key.hash, projectionOf(key, await ownerState(tx, key.owner)));
    });
  } catch (error) {
    const undoFailure = await undoCreation(deps.pool, ctx, created.id, rotatedFrom).then(
      () => undefined,
      (e: unknown) => e,
    );
    throw projectionUnavailable(
      'Firestore did not take the new key, so it was revoked unused; try again.',
      undoFailure === undefined ? error : new AggregateError([error, undoFailure]),
    );
  }
}

async function undoCreation(
  pool: pg.Pool,
  ctx: CallContext,
  createdId: string,
  rotatedFrom: string | undefined,
): Promise<void> {
  await inTransaction(pool, async (tx) => {
    // Locked in creation order (old, then new) like every other path, so no deadlock.
    const old = rotatedFrom ? await findKey(tx, rotatedFrom, { forUpdate: true }) : undefined;
    const created = await findKey(tx, createdId, { forUpdate: true });
    if (created && created.revokedAt === null) {
      const revoked = await markRevoked(tx, createdId);
      await appendAudit(tx, ctx, {
        action: 'api_key.revoke',
        target: keyTarget(createdId),
        before: auditView(created),
        after: { ...auditView(revoked), reason: 'projection_failed' },
      });
    }
    if (old && old.graceUntil !== null && old.revokedAt === null) {
      const restored = await clearGrace(tx, old.id);
      await appendAudit(tx, ctx, {
        action: 'api_key.rotate.undo',
        target: keyTarget(old.id),
        before: auditView(old),
        after: { ...auditView(restored), reason: 'projection_failed' },
      });
    }
  });
}
