// History search against a real Firestore emulator: entries written in the same transaction as
// what they index, queried with array-contains and paged by sortKey, as Firestore executes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type DocumentReference, type Firestore } from 'firebase-admin/firestore';
import { startFirestoreEmulator, type FirestoreEmulator } from '@colonycraft/testing';
import {
  appendExchange,
  createConversation,
  deleteConversation,
  deleteTurn,
  renameConversation,
} from './conversation-store.js';
import {
  indexMessage,
  indexTitle,
  searchConversations,
  unindexConversation,
  unindexMessages,
} from './search-index.js';

let emulator: FirestoreEmulator;
let app: App;
let db: Firestore;

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  app = initializeApp({ projectId: 'demo-colonycraft' }, `search-${randomUUID()}`);
  db = getFirestore(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await emulator?.stop();
});

const freshUid = () => `u-${randomUUID()}`;
const T0 = 1_700_000_000_000;

/**
 * A conversation with a title and question–answer pairs, written with its entries in one
 * transaction, as the store does. Messages are one millisecond apart, after `at`.
 */
async function seed(
  uid: string,
  title: string,
  turns: readonly (readonly [string, string])[] = [],
  at = T0,
): Promise<{ ref: DocumentReference; messageIds: string[] }> {
  const ref = db.collection('users').doc(uid).collection('conversations').doc();
  const messageIds: string[] = [];
  const last = at + turns.length * 2;
  await db.runTransaction(async (tx) => {
    tx.create(ref, { title, createdAt: at, updatedAt: last, messageCount: turns.length * 2 });
    let t = at;
    for (const [question, answer] of turns) {
      for (const [role, content] of [
        ['user', question],
        ['assistant', answer],
      ] as const) {
        t += 1;
        const message = ref.collection('messages').doc();
        messageIds.push(message.id);
        tx.create(message, { role, content, createdAt: t });
        indexMessage(tx, ref, { id: message.id, role, content, createdAt: t });
      }
    }
    indexTitle(tx, ref, title, last);
  });
  return { ref, messageIds };
}

async function search(uid: string, query: string, pageSize = 10, cursor?: string) {
  return searchConversations(db, uid, { query, pageSize, cursor });
}

const titles = (page: Awaited<ReturnType<typeof search>>) => page.results.map((r) => r.title.text);
const marked = (text: { text: string; highlights: { start: number; end: number }[] }) =>
  text.highlights.map((h) => text.text.slice(h.start, h.end));

describe('searchConversations', () => {
  it('when a word is in a title or in an answer, then both conversations are found, newest first', async () => {
    const uid = freshUid();
    await seed(uid, 'Termite mounds', [['How do they cool?', 'By airflow.']], T0);
    await seed(
      uid,
      'Ant colonies',
      [['Who digs?', 'Workers dig the termite-proof tunnels.']],
      T0 + 100,
    );
    await seed(uid, 'Bees', [['Honey?', 'Yes.']], T0 + 200);

    const page = await search(uid, 'termite');
    expect(titles(page)).toEqual(['Ant colonies', 'Termite mounds']);
    const [answer, title] = page.results;
    expect(answer).toMatchObject({ match: 'message', role: 'assistant' });
    expect(marked(answer!.snippet!)).toEqual(['termite']);
    expect(title).toMatchObject({ match: 'title' });
    expect(title!.snippet).toBeUndefined();
    expect(marked(title!.title)).toEqual(['Termite']);
    expect(page.nextCursor).toBeUndefined();
  });

  it('when a word is half typed, then it matches the start of words only', async () => {
    const uid = freshUid();
    await seed(uid, 'Chat', [['Tell me about photosynthesis', 'Plants make sugar.']]);
    expect(titles(await search(uid, 'photos'))).toEqual(['Chat']);
    expect(titles(await search(uid, 'synthesis'))).toEqual([]);
  });

  it('when a query has several words, then all must be in one message or title', async () => {
    const uid = freshUid();
    await seed(uid, 'Both', [['rust borrow checker', 'ok']], T0);
    await seed(uid, 'Split', [['rust', 'borrow checker']], T0 + 10);
    expect(titles(await search(uid, 'borrow rust'))).toEqual(['Both']);
  });

  it('when case and diacritics differ, then they match either way', async () => {
    const uid = freshUid();
    await seed(uid, 'Dessert', [['Une CRÈME brûlée', 'Oui.']]);
    const page = await search(uid, 'creme BRULEE');
    expect(titles(page)).toEqual(['Dessert']);
    expect(marked(page.results[0]!.snippet!)).toEqual(['CRÈME', 'brûlée']);
  });

  it('when more conversations match than a page holds, then the cursor pages through all once', async () => {
    const uid = freshUid();
    for (let n = 0; n < 7; n += 1) {
      await seed(uid, `Note ${n}`, [[`the quokka number ${n}`, 'noted']], T0 + n * 10);
    }
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await search(uid, 'quokka', 3, cursor);
      pages.push(titles(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages.flat()).toEqual([
      'Note 6',
      'Note 5',
      'Note 4',
      'Note 3',
      'Note 2',
      'Note 1',
      'Note 0',
    ]);
    expect(pages[0]).toHaveLength(3);
  });

  it('when one conversation matches many times, then a page shows it once with its newest match', async () => {
    const uid = freshUid();
    await seed(uid, 'Lots', [
      ['walrus one', 'a'],
      ['walrus two', 'b'],
      ['walrus three', 'c'],
    ]);
    const page = await search(uid, 'walrus');
    expect(page.results).toHaveLength(1);
    expect(page.results[0]!.snippet?.text).toBe('walrus three');
  });

  it('when the matches lie beyond the scan bound, then a call stops at it and the cursor goes on', async () => {
    const uid = freshUid();
    await seed(uid, 'Old', [['lemur ox facts', 'yes']], T0);
    // Twelve newer entries hold "lemur" (the word looked up, the longer) but not "ox".
    await seed(
      uid,
      'Noise',
      Array.from({ length: 6 }, () => ['lemur', 'lemur'] as const),
      T0 + 100,
    );

    const first = await searchConversations(
      db,
      uid,
      { query: 'lemur ox', pageSize: 10 },
      { maxScan: 5 },
    );
    expect(first.scanned).toBe(5);
    expect(first.results).toEqual([]);
    expect(first.nextCursor).toBeDefined();
    let cursor = first.nextCursor;
    const found: string[] = [];
    let calls = 1;
    while (cursor) {
      const page = await searchConversations(
        db,
        uid,
        { query: 'lemur ox', pageSize: 10, cursor },
        { maxScan: 5 },
      );
      expect(page.scanned).toBeLessThanOrEqual(5);
      found.push(...titles(page));
      cursor = page.nextCursor;
      calls += 1;
    }
    expect(found).toEqual(['Old']);
    expect(calls).toBe(3);
  });

  it("when another user's conversations hold the word, then they are never found", async () => {
    const mine = freshUid();
    const theirs = freshUid();
    await seed(theirs, 'Secret axolotl plans', [['axolotl', 'axolotl']]);
    await seed(mine, 'Mine', [['hello', 'world']]);
    expect((await search(mine, 'axolotl')).results).toEqual([]);
    expect(titles(await search(theirs, 'axolotl'))).toEqual(['Secret axolotl plans']);
  });

  it('when a title is indexed again after a rename, then the old title no longer finds it', async () => {
    const uid = freshUid();
    const { ref } = await seed(uid, 'Zebra talk');
    await db.runTransaction(async (tx) => {
      tx.update(ref, { title: 'Okapi talk' });
      indexTitle(tx, ref, 'Okapi talk', T0);
    });
    expect(titles(await search(uid, 'zebra'))).toEqual([]);
    expect(titles(await search(uid, 'okapi'))).toEqual(['Okapi talk']);
  });

  it('when messages and then the conversation are deleted with their entries, then nothing finds them', async () => {
    const uid = freshUid();
    const { ref, messageIds } = await seed(uid, 'Pangolin', [['pangolin scales', 'keratin']]);
    await db.runTransaction(async (tx) => {
      for (const id of messageIds) tx.delete(ref.collection('messages').doc(id));
      unindexMessages(tx, ref, messageIds);
    });
    const left = await search(uid, 'pangolin');
    expect(left.results.map((r) => r.match)).toEqual(['title']);
    expect((await search(uid, 'keratin')).results).toEqual([]);

    await db.runTransaction(async (tx) => {
      tx.delete(ref);
      unindexConversation(tx, ref);
    });
    expect((await search(uid, 'pangolin')).results).toEqual([]);
    const entries = await db.collection('users').doc(uid).collection('searchIndex').get();
    expect(entries.size).toBe(0);
  });

  it('when an entry outlives its message, then it is left out rather than failing', async () => {
    const uid = freshUid();
    const { ref, messageIds } = await seed(uid, 'Chat', [['narwhal', 'tusk']]);
    await ref.collection('messages').doc(messageIds[0]!).delete();
    expect((await search(uid, 'narwhal')).results).toEqual([]);
  });

  it('when a query has no word of two characters, then nothing is read', async () => {
    const page = await search(freshUid(), 'a ?');
    expect(page).toEqual({ results: [], scanned: 0 });
  });
});

describe('kept true by the conversation store', () => {
  const reply = (content: string) => ({
    content,
    model: 'local/echo',
    usage: { inputTokens: 1, outputTokens: 1, estimated: true },
    costUsd: 0,
    latencyMs: 1,
    finishReason: 'stop' as const,
    complete: true,
  });

  it('when a conversation is created and continued, then its title and every message are found', async () => {
    const uid = freshUid();
    const created = await createConversation(db, uid, { title: 'Capybara care' });
    expect(titles(await search(uid, 'capybara'))).toEqual(['Capybara care']);
    await appendExchange(db, uid, created.id, {
      user: { content: 'What do they eat?' },
      assistant: reply('Mostly grasses and aquatic plants.'),
    });
    const page = await search(uid, 'aquatic gras');
    expect(page.results).toMatchObject([{ conversationId: created.id, role: 'assistant' }]);
    expect(marked(page.results[0]!.snippet!)).toEqual(['gras', 'aquatic']);
  });

  it('when renamed, then the new title finds it and the old one does not', async () => {
    const uid = freshUid();
    const { id } = await createConversation(db, uid, { title: 'Giraffe notes' });
    await renameConversation(db, uid, id, 'Okapi notes');
    expect(titles(await search(uid, 'giraffe'))).toEqual([]);
    expect(titles(await search(uid, 'okapi'))).toEqual(['Okapi notes']);
  });

  it('when a turn is deleted, then its messages are no longer found, and the rest are', async () => {
    const uid = freshUid();
    const { id } = await createConversation(db, uid, { title: 'Chat' });
    const first = await appendExchange(db, uid, id, {
      user: { content: 'tell me about ibex' },
      assistant: reply('ibex climb dams'),
    });
    await appendExchange(db, uid, id, {
      user: { content: 'and the chamois?' },
      assistant: reply('chamois too'),
    });
    await deleteTurn(db, uid, id, first.user!.id);
    expect((await search(uid, 'ibex')).results).toEqual([]);
    expect(titles(await search(uid, 'chamois'))).toEqual(['Chat']);
  });

  it('when deleted, then nothing of the conversation is found and no entry is left', async () => {
    const uid = freshUid();
    const { id } = await createConversation(db, uid, { title: 'Tapir' });
    for (let n = 0; n < 3; n += 1) {
      await appendExchange(db, uid, id, {
        user: { content: `tapir ${n}` },
        assistant: reply('snout'),
      });
    }
    await deleteConversation(db, uid, id);
    expect((await search(uid, 'tapir')).results).toEqual([]);
    expect((await search(uid, 'snout')).results).toEqual([]);
    const entries = await db.collection('users').doc(uid).collection('searchIndex').get();
    expect(entries.size).toBe(0);
  });
});
