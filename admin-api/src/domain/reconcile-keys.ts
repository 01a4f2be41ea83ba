// Repairs drift between Postgres (the system of record) and the Firestore key projection:
// every key's record is rewritten if it is missing or differs in any field, and every record
// without a key is deleted. Run by `npm run reconcile` and periodically inside the server.
//
// Each repair re-reads its row under the row lock (`FOR UPDATE`) and writes from that, never
// from the snapshot taken at the start: a revocation in flight holds the same lock while it
// writes Firestore, so the reconciler can neither overtake it nor resurrect a revoked key from
// a stale read. A record is deleted only if no row has its hash at repair time; since creation
// commits the row before publishing, a record that exists always has a visible row.
import type { ApiKeyRecord } from '@colonycraft/protocol';
import type pg from 'pg';
import { allKeys, findKeyByHash } from '../data/api-keys.js';
import { withinTransaction } from '../data/db.js';
import { projectionOf, sameRecord, type KeyProjection } from '../data/key-projection.js';
import { ownerState, ownerStateOf, ownerStates } from '../data/user-roles.js';

/** One reconciler at a time across every instance; the others skip their turn. */
const RECONCILE_LOCK_ID = 7_231_003;

export interface ReconcileReport {
  /** True when another instance held the lock and this run did nothing. */
  skipped: boolean;
  keys: number;
  documents: number;
  written: number;
  deleted: number;
}

export async function reconcileKeys(
  pool: pg.Pool,
  projection: KeyProjection,
): Promise<ReconcileReport> {
  // Everything runs on this one client, the lock's holder, so a pool of one connection (the
  // embedded database) is enough.
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [RECONCILE_LOCK_ID],
    );
    if (!rows[0]?.locked) return { skipped: true, keys: 0, documents: 0, written: 0, deleted: 0 };
    try {
      return await reconcile(client, projection);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [RECONCILE_LOCK_ID]);
    }
  } finally {
    client.release();
  }
}

async function reconcile(client: pg.PoolClient, projection: KeyProjection) {
  const expected = new Map<string, ApiKeyRecord>();
  const owners = await ownerStates(client);
  for await (const key of allKeys(client)) {
    expected.set(key.hash, projectionOf(key, owners.get(key.owner) ?? ownerStateOf(undefined)));
  }

  const drifted: string[] = [];
  const seen = new Set<string>();
  let documents = 0;
  for await (const { hash, data } of projection.list()) {
    documents += 1;
    seen.add(hash);
    const want = expected.get(hash);
    if (!want || !sameRecord(want, data)) drifted.push(hash);
  }
  for (const hash of expected.keys()) if (!seen.has(hash)) drifted.push(hash);

  let written = 0;
  let deleted = 0;
  for (const hash of drifted) {
    const outcome = await withinTransaction(client, async (tx) => {
      const key = await findKeyByHash(tx, hash, { forUpdate: true });
      if (!key) {
        await projection.delete(hash);
        return 'deleted';
      }
      // The owner's state too is read after the row lock, as a revocation reads it.
      await projection.put(hash, projectionOf(key, await ownerState(tx, key.owner)));
      return 'written';
    });
    if (outcome === 'deleted') deleted += 1;
    else written += 1;
  }
  return { skipped: false, keys: expected.size, documents, written, deleted };
}
