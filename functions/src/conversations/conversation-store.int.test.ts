// The conversation store against a real Firestore emulator: ordering, paging, ownership and
// deletion as Firestore itself executes them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { startFirestoreEmulator, type FirestoreEmulator } from '@colonycraft/testing';
import {
  appendExchange,
  createConversation,
  deleteConversation,
  getConversation,
  listConversations,
  renameConversation,
  titleFrom,
  type Exchange,
} from './conversation-store.js';

let emulator: FirestoreEmulator;
let app: App;
let db: Firestore;

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  app = initializeApp({ projectId: 'demo-colonycraft' }, `store-${randomUUID()}`);
  db = getFirestore(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await emulator?.stop();
});

const freshUid = () => `u-${randomUUID()}`;

function exchange(question: string, answer: string, extra: Partial<Exchange['assistant']> = {}) {
  return {
    user: { content: question },
    assistant: {
      content: answer,
      model: 'local/echo',
      usage: { inputTokens: 10, outputTokens: 4, estimated: false },
      costUsd: 0.000012,
      latencyMs: 120,
      finishReason: 'stop' as const,
      complete: true,
      ...extra,
    },
  };
}

/** A clock that stands still unless moved, so ties in time are the normal case. */
function clock(start = 1_700_000_000_000) {
  let t = start;
  const now = () => t;
  now.advance = (ms = 1) => (t += ms);
  return now;
}

describe('create, append and get', () => {
  it('when three exchanges share one millisecond, then get returns all six messages in write order', async () => {
    const uid = freshUid();
    const now = clock();
    const created = await createConversation(
      db,
      uid,
      { title: 'Colony', model: 'local/echo' },
      now,
    );
    for (const n of [1, 2, 3]) {
      await appendExchange(db, uid, created.id, exchange(`q${n}`, `a${n}`), now);
    }

    const { conversation, messages } = await getConversation(db, uid, created.id);
    expect(messages.map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'a3']);
    expect(conversation).toEqual({ ...created, messageCount: 6, lastModel: 'local/echo' });
    expect(messages[1]).toMatchObject({
      model: 'local/echo',
      usage: { inputTokens: 10, outputTokens: 4, estimated: false },
      costUsd: 0.000012,
      latencyMs: 120,
      finishReason: 'stop',
      complete: true,
    });
    expect(messages[1]).not.toHaveProperty('error');
  });

  it('when tied messages were stored out of order, then get orders them by seq alone', async () => {
    const uid = freshUid();
    const { id } = await createConversation(db, uid, { title: 't', model: 'local/echo' });
    // The emulator breaks ties by insertion order; storing backwards makes only seq right.
    const messages = db.collection(`users/${uid}/conversations/${id}/messages`);
    for (const seq of [3, 2, 1, 0]) {
      await messages.doc().set({ role: 'user', content: `m${seq}`, createdAt: 5, seq });
    }
    const { messages: read } = await getConversation(db, uid, id);
    expect(read.map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3']);
  });

  it('when a stream was cut, then the partial answer is stored as incomplete with its error', async () => {
    const uid = freshUid();
    const now = clock();
    const { id } = await createConversation(db, uid, { title: 't', model: 'local/echo' }, now);
    now.advance(500);
    const appended = await appendExchange(
      db,
      uid,
      id,
      exchange('tell me', 'once upon', {
        finishReason: 'error',
        complete: false,
        model: 'openai/gpt-4.1',
        error: { code: 'upstream_reset', message: 'connection reset' },
      }),
      now,
    );
    expect(appended.conversation).toMatchObject({ updatedAt: now(), lastModel: 'openai/gpt-4.1' });

    const { conversation, messages } = await getConversation(db, uid, id);
    expect(conversation.updatedAt).toBe(now());
    expect(conversation.createdAt).toBe(now() - 500);
    expect(messages[1]).toEqual(appended.assistant);
    expect(messages[1]).toMatchObject({
      complete: false,
      error: { code: 'upstream_reset', message: 'connection reset' },
    });
  });

  it('when an exchange replaces from a message, then the later ones go and the new one takes their place', async () => {
    const uid = freshUid();
    const { id } = await createConversation(db, uid, { title: 't', model: 'local/echo' });
    await appendExchange(db, uid, id, exchange('q1', 'a1'));
    await appendExchange(db, uid, id, exchange('q2', 'a2'));
    await appendExchange(db, uid, id, exchange('q3', 'a3'));

    // Regenerate the last answer: keep four messages, the question asked again, a new answer.
    await appendExchange(db, uid, id, { ...exchange('q3', 'a3 again'), replaceFrom: 4 });
    // Edit the second question: keep two messages.
    const edited = await appendExchange(db, uid, id, {
      ...exchange('q2 edited', 'a2 edited'),
      replaceFrom: 2,
    });
    expect(edited.conversation.messageCount).toBe(4);

    const { conversation, messages } = await getConversation(db, uid, id);
    expect(messages.map((m) => m.content)).toEqual(['q1', 'a1', 'q2 edited', 'a2 edited']);
    expect(conversation.messageCount).toBe(4);
    const seqs = (await db.collection(`users/${uid}/conversations/${id}/messages`).get()).docs
      .map((d) => d.get('seq') as number)
      .sort((x, y) => x - y);
    expect(seqs).toEqual([0, 1, 2, 3]);

    // Past the end it appends: the turn before may not be stored yet.
    await appendExchange(db, uid, id, { ...exchange('q5', 'a5'), replaceFrom: 6 });
    expect((await getConversation(db, uid, id)).messages.map((m) => m.content)).toEqual([
      'q1',
      'a1',
      'q2 edited',
      'a2 edited',
      'q5',
      'a5',
    ]);
  });

  it('when the conversation does not exist, then append fails as not-found and writes nothing', async () => {
    const uid = freshUid();
    await expect(appendExchange(db, uid, 'nope', exchange('q', 'a'))).rejects.toMatchObject({
      kind: 'not-found',
    });
    const orphans = await db.collection(`users/${uid}/conversations/nope/messages`).get();
    expect(orphans.size).toBe(0);
  });

  it('when the clock runs backwards, then updatedAt never decreases', async () => {
    const uid = freshUid();
    const now = clock();
    const { id } = await createConversation(db, uid, { title: 't', model: 'local/echo' }, now);
    now.advance(-10_000);
    const { conversation } = await appendExchange(db, uid, id, exchange('q', 'a'), now);
    expect(conversation.updatedAt).toBe(1_700_000_000_000);
  });
});

describe('listConversations', () => {
  it('when five conversations are paged two at a time, then three pages come newest first without duplicates', async () => {
    const uid = freshUid();
    const now = clock();
    const ids: string[] = [];
    for (let n = 0; n < 5; n += 1) {
      ids.push(
        (await createConversation(db, uid, { title: `c${n}`, model: 'local/echo' }, now)).id,
      );
      now.advance(1000);
    }
    // Activity moves the oldest conversation to the top.
    await appendExchange(db, uid, ids[0]!, exchange('q', 'a'), now);

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await listConversations(db, uid, { pageSize: 2, cursor });
      pages.push(page.conversations.map((c) => c.title));
      cursor = page.nextCursor;
    } while (cursor !== undefined);

    expect(pages).toEqual([['c0', 'c4'], ['c3', 'c2'], ['c1']]);
  });

  it('when updates share one millisecond, then paging still returns each conversation once', async () => {
    const uid = freshUid();
    const now = clock();
    for (let n = 0; n < 7; n += 1) {
      await createConversation(db, uid, { title: `c${n}`, model: 'local/echo' }, now);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listConversations(db, uid, { pageSize: 3, cursor });
      seen.push(...page.conversations.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it('when the cursor is not one the list returned, then it is refused naming cursor', async () => {
    await expect(
      listConversations(db, freshUid(), { pageSize: 2, cursor: 'garbage' }),
    ).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringMatching(/^cursor:/),
    });
  });

  it('when the user has no conversations, then the page is empty and has no cursor', async () => {
    expect(await listConversations(db, freshUid(), { pageSize: 20 })).toEqual({
      conversations: [],
    });
  });
});

describe('rename and delete', () => {
  it('when renamed, then the title is trimmed and the list order is kept', async () => {
    const uid = freshUid();
    const now = clock();
    const { id } = await createConversation(db, uid, { title: 'old', model: 'local/echo' }, now);
    const renamed = await renameConversation(db, uid, id, '  New name  ');
    expect(renamed).toMatchObject({ id, title: 'New name', updatedAt: now() });
    expect((await getConversation(db, uid, id)).conversation.title).toBe('New name');
  });

  it('when the title is blank, then the rename is refused naming title', async () => {
    const uid = freshUid();
    const { id } = await createConversation(db, uid, { title: 'old', model: 'local/echo' });
    await expect(renameConversation(db, uid, id, '   ')).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringMatching(/^title:/),
    });
  });

  it('when a conversation with more messages than one batch is deleted, then every message goes too', async () => {
    const uid = freshUid();
    const { id } = await createConversation(db, uid, { title: 'long', model: 'local/echo' });
    await appendExchange(db, uid, id, exchange('q', 'a'));
    // Seeded directly: 900 messages need three delete batches of at most 400.
    const messages = db.collection(`users/${uid}/conversations/${id}/messages`);
    for (let start = 0; start < 900; start += 300) {
      const batch = db.batch();
      for (let n = start; n < start + 300; n += 1) {
        batch.set(messages.doc(), { role: 'user', content: `m${n}`, createdAt: 1, seq: n + 2 });
      }
      await batch.commit();
    }
    expect((await messages.count().get()).data().count).toBe(902);

    await deleteConversation(db, uid, id);

    expect((await messages.count().get()).data().count).toBe(0);
    expect((await db.doc(`users/${uid}/conversations/${id}`).get()).exists).toBe(false);
    await expect(getConversation(db, uid, id)).rejects.toMatchObject({ kind: 'not-found' });
  });
});

describe('ownership', () => {
  it("when another user names someone's conversation, then get, rename, delete and append are not-found and nothing changes", async () => {
    const owner = freshUid();
    const intruder = freshUid();
    const { id } = await createConversation(db, owner, { title: 'mine', model: 'local/echo' });
    await appendExchange(db, owner, id, exchange('secret', 'kept'));

    const notFound = { kind: 'not-found' };
    await expect(getConversation(db, intruder, id)).rejects.toMatchObject(notFound);
    await expect(renameConversation(db, intruder, id, 'theirs')).rejects.toMatchObject(notFound);
    await expect(deleteConversation(db, intruder, id)).rejects.toMatchObject(notFound);
    await expect(appendExchange(db, intruder, id, exchange('x', 'y'))).rejects.toMatchObject(
      notFound,
    );

    const { conversation, messages } = await getConversation(db, owner, id);
    expect(conversation).toMatchObject({ title: 'mine', messageCount: 2 });
    expect(messages.map((m) => m.content)).toEqual(['secret', 'kept']);
    expect((await listConversations(db, intruder, { pageSize: 20 })).conversations).toEqual([]);
  });

  it('when the id tries to reach into another path, then it is not-found', async () => {
    const uid = freshUid();
    await expect(getConversation(db, uid, `../../${freshUid()}`)).rejects.toMatchObject({
      kind: 'not-found',
    });
  });
});

describe('titleFrom', () => {
  it('when the message has several lines, then the title is the trimmed first line', () => {
    expect(titleFrom('  \n  Plan the harvest  \nwith details')).toBe('Plan the harvest');
  });

  it('when the first line is long, then it is cut to 60 characters ending in an ellipsis', () => {
    const title = titleFrom('word '.repeat(30));
    expect(Array.from(title)).toHaveLength(60);
    expect(title.endsWith('…')).toBe(true);
    expect(titleFrom('x'.repeat(60))).toBe('x'.repeat(60));
  });

  it('when the message is blank, then the title is a placeholder', () => {
    expect(titleFrom('   ')).toBe('New conversation');
  });
});
