// The backfill of History search's index against a real Firestore emulator: conversations
// stored before the index are found once walked, a bounded number per call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { startFirestoreEmulator, type FirestoreEmulator } from '@colonycraft/testing';
import { backfillSearchIndex } from './search-backfill.js';
import { searchConversations } from './search-index.js';

let emulator: FirestoreEmulator;
let app: App;
let db: Firestore;

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  app = initializeApp({ projectId: 'demo-colonycraft' }, `backfill-${randomUUID()}`);
  db = getFirestore(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await emulator?.stop();
});

/** A conversation as the store wrote it before the index: no entries. */
async function storedBefore(uid: string, n: number, at: number) {
  const ref = db.collection(`users/${uid}/conversations`).doc();
  await ref.set({
    title: `Plan field${n}`,
    createdAt: at,
    updatedAt: at,
    messageCount: 2,
    nextSeq: 2,
  });
  await ref
    .collection('messages')
    .doc()
    .set({ role: 'user', content: `ask granary${n}`, createdAt: at, seq: 0 });
  await ref
    .collection('messages')
    .doc()
    .set({ role: 'assistant', content: `answer silo${n}`, createdAt: at, seq: 1 });
  return ref.id;
}

const found = async (uid: string, query: string) =>
  (await searchConversations(db, uid, { query, pageSize: 25 })).results.map(
    (r) => r.conversationId,
  );

describe('backfillSearchIndex', () => {
  it('when conversations were stored before the index, then calls index them oldest first, a bounded number each, until all are found', async () => {
    const uid = `u-${randomUUID()}`;
    const T0 = 1_700_000_000_000;
    // Two share a millisecond, across the first call's end.
    const ids = [
      await storedBefore(uid, 0, T0),
      await storedBefore(uid, 1, T0 + 1),
      await storedBefore(uid, 2, T0 + 1),
      await storedBefore(uid, 3, T0 + 2),
      await storedBefore(uid, 4, T0 + 3),
    ];
    expect(await found(uid, 'granary0')).toEqual([]);

    const limits = { conversations: 2, messages: 100 };
    expect(await backfillSearchIndex(db, uid, limits)).toBe(false);
    expect(await found(uid, 'ask')).toHaveLength(2);
    expect(await found(uid, 'silo0')).toEqual([ids[0]]);
    // The second call takes the other one of that millisecond, and the next.
    expect(await backfillSearchIndex(db, uid, limits)).toBe(false);
    expect(new Set(await found(uid, 'ask'))).toEqual(new Set(ids.slice(0, 4)));
    // The third finds only one left: the walk is done.
    expect(await backfillSearchIndex(db, uid, limits)).toBe(true);
    expect(new Set(await found(uid, 'ask'))).toEqual(new Set(ids));
    expect(await found(uid, 'field3')).toEqual([ids[3]]);
    // Done: nothing is read but the progress.
    expect(await backfillSearchIndex(db, uid, limits)).toBe(true);
  });

  it('when a call has indexed its messages\u2019 worth, then it stops and the next goes on', async () => {
    const uid = `u-${randomUUID()}`;
    const ids = [];
    for (let n = 0; n < 3; n += 1) ids.push(await storedBefore(uid, n, 1_700_000_000_000 + n));
    expect(await backfillSearchIndex(db, uid, { conversations: 10, messages: 2 })).toBe(false);
    expect(await found(uid, 'ask')).toEqual([ids[0]]);
    expect(await backfillSearchIndex(db, uid, { conversations: 10, messages: 100 })).toBe(true);
    expect(await found(uid, 'ask')).toHaveLength(3);
  });
});
