// Ending keys: revocation, and rotation (a new key; the old one works until its grace ends).
//
// Why Firestore is written inside the Postgres transaction, before COMMIT, for both: the
// functions accept a key by its Firestore record alone, so a revocation is only real once that
// record says so. With the row locked and updated, the record is put, the audit entry appended
// and the transaction committed:
// - Firestore fails (or times out): the transaction rolls back and the caller gets 503. Both
//   stores still agree that the key works, and the caller knows the revocation did not happen.
// - Firestore succeeds but COMMIT fails (rare): the record says revoked while Postgres does
//   not. That fails safe (the key is refused) and the caller got an error; the reconciler
//   restores Postgres's view later, and the caller retries.
// Committing first and writing Firestore after would allow the one outcome that must never
// happen: Postgres says revoked, the API answered an error or crashed, and the key still works.
// (An audit append that fails after the write is the same case as a failed COMMIT.)
// A revocation, and a rotation without grace, also put the key on the token denylist beside
// the record: the client tokens already exchanged for it (up to 15 minutes each) carry its
// id, and the functions refuse them; the exchange and /v1 refuse the key itself, where their
// cached record (up to 30 s old) would still take it. That fails safe in the same way. A
// rotation with grace needs no entry: the key's tokens end with the grace.
// The row lock is held across the write, so other changes to the key and the reconciler's
// rewrite of it queue behind it; PROJECTION_TIMEOUT_MS bounds how long. The audit entry comes
// last because it takes the log's chain lock, which every mutation needs: held across a
// network call, it would queue the whole service behind Firestore.
import type { ApiKeySummary, CreatedApiKey } from '@colonycraft/protocol';
import { findKey, insertKey, markRevoked, startGrace } from '../data/api-keys.js';
import { inTransaction } from '../data/db.js';
import { ApiError } from '../errors.js';
import { generateApiKey } from './api-key-format.js';
import { publishCreated, putProjection } from './api-key-publish.js';
import {
  assertMayChangeKeys,
  assertMayHoldConversations,
  auditView,
  keyNotFound,
  keyTarget,
  toSummary,
  visibleOwner,
  type KeyDeps,
} from './api-key-views.js';
import { appendAudit } from './audit.js';
import type { CallContext } from './call-context.js';

async function denyTokensOf(deps: KeyDeps, id: string): Promise<void> {
  try {
    await deps.denylist.denyApiKey(id);
  } catch (error) {
    throw new ApiError('unavailable', 'The token denylist did not answer; try again.', {
      cause: error,
    });
  }
}

export async function revokeApiKey(
  deps: KeyDeps,
  ctx: CallContext,
  id: string,
): Promise<ApiKeySummary> {
  assertMayChangeKeys(ctx.caller);
  const owner = visibleOwner(ctx.caller);
  return inTransaction(deps.pool, async (tx) => {
    const key = await findKey(tx, id, { forUpdate: true, ...(owner ? { owner } : {}) });
    if (!key) throw keyNotFound(id);
    if (key.revokedAt !== null) {
      // Already revoked: say so again (it may have drifted, or a first try failed), record
      // nothing new.
      await putProjection(deps, tx, key);
      await denyTokensOf(deps, id);
      return toSummary(key);
    }
    const revoked = await markRevoked(tx, id);
    await putProjection(deps, tx, revoked);
    await denyTokensOf(deps, id);
    await appendAudit(tx, ctx, {
      action: 'api_key.revoke',
      target: keyTarget(id),
      before: auditView(key),
      after: auditView(revoked),
    });
    return toSummary(revoked);
  });
}

export async function rotateApiKey(
  deps: KeyDeps,
  ctx: CallContext,
  id: string,
  graceSeconds: number,
): Promise<CreatedApiKey> {
  assertMayChangeKeys(ctx.caller);
  const owner = visibleOwner(ctx.caller);
  const fresh = generateApiKey();
  const { old, created } = await inTransaction(deps.pool, async (tx) => {
    const key = await findKey(tx, id, { forUpdate: true, ...(owner ? { owner } : {}) });
    if (!key) throw keyNotFound(id);
    if (key.revokedAt !== null) throw new ApiError('conflict', 'The key is revoked.');
    // The rotator receives the replacement, which keeps the key's scopes.
    assertMayHoldConversations(ctx.caller, key.owner, key.scopes);
    if (key.graceUntil !== null) {
      throw new ApiError('conflict', 'The key was rotated already; rotate its replacement.');
    }
    if (key.expiresAt !== null && key.expiresAt <= Date.now()) {
      throw new ApiError('conflict', 'The key has expired; create a new one.');
    }
    const replacement = await insertKey(tx, {
      hash: fresh.hash,
      prefix: fresh.prefix,
      owner: key.owner,
      name: key.name,
      scopes: key.scopes,
      tier: key.tier,
      expiresAt: key.expiresAt,
      rotatedFrom: key.id,
    });
    const ending = await startGrace(tx, key.id, graceSeconds);
    // The old key's end is a restriction: in Firestore before COMMIT (see the header).
    await putProjection(deps, tx, ending);
    // Ending now, the old key and its tokens stop as on a revocation.
    if (graceSeconds === 0) await denyTokensOf(deps, key.id);
    // One mutation, one entry: on the old key, naming its replacement.
    await appendAudit(tx, ctx, {
      action: 'api_key.rotate',
      target: keyTarget(key.id),
      before: auditView(key),
      after: { ...auditView(ending), replacement: auditView(replacement) },
    });
    return { old: ending, created: replacement };
  });
  // The replacement is a creation: published after COMMIT.
  await publishCreated(deps, ctx, created, old.id);
  return { key: fresh.key, summary: toSummary(created) };
}
