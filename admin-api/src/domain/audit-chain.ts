// The audit log's hash chain. Each entry's hash is SHA-256 over the canonical JSON of all its
// fields, `prevHash` included, so changing any field of any entry, removing one or reordering
// them shows up at exactly that entry when the chain is walked from the start.
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditVerification } from '@colonycraft/protocol';
import { canonicalJson } from '../lib/canonical-json.js';

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const fields = {
    v: 1,
    id: entry.id,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    before: entry.before,
    after: entry.after,
    ip: entry.ip,
    requestId: entry.requestId,
    prevHash: entry.prevHash,
  };
  return createHash('sha256').update(canonicalJson(fields), 'utf8').digest('hex');
}

/** Walks the entries oldest first and reports the first one that does not hold. */
export async function verifyChain(entries: AsyncIterable<AuditEntry>): Promise<AuditVerification> {
  let count = 0;
  let prev = GENESIS_HASH;
  let headHash: string | null = null;
  for await (const entry of entries) {
    count += 1;
    const broken = (reason: string): AuditVerification => ({
      ok: false,
      entries: count,
      firstBrokenAt: entry.id,
      reason,
      headHash,
    });
    if (entry.id !== count) {
      return broken(`entry ${count} is missing: found entry ${entry.id} in its place`);
    }
    if (entry.prevHash !== prev) return broken('its prevHash is not the previous entry’s hash');
    if (entryHash(entry) !== entry.hash) return broken('its fields do not match its hash');
    prev = entry.hash;
    headHash = entry.hash;
  }
  return { ok: true, entries: count, headHash };
}
