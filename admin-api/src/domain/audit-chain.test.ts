import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@colonycraft/protocol';
import { GENESIS_HASH, entryHash, verifyChain } from './audit-chain.js';

function chain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let id = 1; id <= n; id++) {
    const e = {
      id,
      at: 1_700_000_000_000 + id,
      actor: `u${id}`,
      action: 'thing.do',
      target: `thing:${id}`,
      before: id === 1 ? null : { n: id - 1, nested: { a: 1, b: [1, 2] } },
      after: { n: id },
      ip: '127.0.0.1',
      requestId: `r${id}`,
      prevHash: prev,
    };
    const entry = { ...e, hash: entryHash(e) };
    entries.push(entry);
    prev = entry.hash;
  }
  return entries;
}

async function* from(entries: AuditEntry[]) {
  yield* entries;
}

describe('entryHash', () => {
  it('when JSON keys come back in another order (as jsonb returns them), then the hash is the same', () => {
    const [e] = chain(2).slice(1);
    const reordered = { ...e!, before: { nested: { b: [1, 2], a: 1 }, n: 1 } };
    expect(entryHash(reordered)).toBe(e!.hash);
  });

  it('when any field changes, then the hash changes', () => {
    const [e] = chain(1);
    for (const change of [
      { actor: 'x' },
      { at: 1 },
      { after: { n: 2 } },
      { prevHash: 'f'.repeat(64) },
    ]) {
      expect(entryHash({ ...e!, ...change })).not.toBe(e!.hash);
    }
  });
});

describe('verifyChain', () => {
  it('when the chain is intact, then it is ok and reports the head', async () => {
    const entries = chain(5);
    expect(await verifyChain(from(entries))).toEqual({
      ok: true,
      entries: 5,
      headHash: entries[4]!.hash,
    });
  });

  it('when the log is empty, then it is ok with no head', async () => {
    expect(await verifyChain(from([]))).toEqual({ ok: true, entries: 0, headHash: null });
  });

  it('when an entry was edited, then the first broken entry is that one', async () => {
    const entries = chain(5);
    entries[2] = { ...entries[2]!, after: { n: 99 } };
    expect(await verifyChain(from(entries))).toMatchObject({ ok: false, firstBrokenAt: 3 });
  });

  it('when entries were swapped, then the chain breaks where the order does', async () => {
    const entries = chain(5);
    [entries[1], entries[2]] = [entries[2]!, entries[1]!];
    expect(await verifyChain(from(entries))).toMatchObject({ ok: false, firstBrokenAt: 3 });
  });
});
