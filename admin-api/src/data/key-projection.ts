// The Firestore projection of API keys: one verification record per key at
// `apiKeys/{sha256 of the key}`, which the functions read to accept a key without Postgres.
// Postgres stays the system of record; this module only writes, reads and deletes records.
import type { Firestore, QueryDocumentSnapshot } from 'firebase-admin/firestore';
import type { ApiKeyRecord } from '@colonycraft/protocol';
import { canonicalJson } from '../lib/canonical-json.js';
import type { StoredApiKey } from './api-keys.js';
import type { OwnerState } from './user-roles.js';

export const API_KEYS_COLLECTION = 'apiKeys';

export interface KeyProjection {
  /** Writes the whole record (no merge), so the document is exactly the record. */
  put(hash: string, record: ApiKeyRecord): Promise<void>;
  delete(hash: string): Promise<void>;
  /** Every document in the collection, whatever it holds. */
  list(): AsyncIterable<{ hash: string; data: unknown }>;
}

/** A key's record, from its row and its owner's state (`user_roles`). */
export function projectionOf(key: StoredApiKey, owner: OwnerState): ApiKeyRecord {
  return {
    keyId: key.id,
    owner: key.owner,
    scopes: [...key.scopes],
    tier: key.tier,
    expiresAt: key.expiresAt,
    revokedAt: key.revokedAt,
    notAfter: key.graceUntil,
    ownerDisabled: owner.disabled,
    ownerTier: owner.tier,
  };
}

/** Whether a stored document is exactly the expected record: no missing, changed or extra field. */
export function sameRecord(expected: ApiKeyRecord, stored: unknown): boolean {
  return canonicalJson(expected) === canonicalJson(stored);
}

/**
 * Rejects when `work` takes longer than `ms`. The write may still land afterwards; every caller
 * is arranged so that a late write is either harmless or repaired by the reconciler.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function firestoreKeyProjection(db: Firestore, timeoutMs: number): KeyProjection {
  const collection = db.collection(API_KEYS_COLLECTION);
  return {
    async put(hash, record) {
      // Delete and set in one atomic batch: the document becomes exactly the record, extra
      // fields gone. A plain set() does that on Firestore, but the local emulator merges.
      const ref = collection.doc(hash);
      const batch = db.batch().delete(ref).set(ref, record);
      await withTimeout(batch.commit(), timeoutMs, 'projection write');
    },
    async delete(hash) {
      await withTimeout(collection.doc(hash).delete(), timeoutMs, 'projection delete');
    },
    async *list() {
      // A streamed query, not pages: the local emulator ignores cursors, and a stream keeps
      // memory flat on real Firestore too.
      for await (const doc of collection.stream() as AsyncIterable<QueryDocumentSnapshot>) {
        yield { hash: doc.id, data: doc.data() };
      }
    },
  };
}
