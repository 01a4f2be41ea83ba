// The conversation store against a real Firestore emulator: ordering, paging, ownership and
// deletion as Firestore itself executes them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { FieldValue, getFirestore, type Firestore } from 'firebase-admin/firestore';
import { startFirestoreEmulator, type FirestoreEmulator } from '@colonycraft/testing';
import {
  appendExchange,
  createConversation,
  deleteConversation,
  deleteTurn,
  getConversation,
  listConversations,
  newExchangeIds,
  renameConversation,
  selectBranch,
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

  it('when an answer is regenerated and a question edited, then both old versions stay beside the new ones and the new path is shown', async () => {
    const uid = freshUid();
    const { id } = await createConversation(db, uid, { title: 't', model: 'local/echo' });
    const first = await appendExchange(db, uid, id, exchange('q1', 'a1'));
    const second = await appendExchange(db, uid, id, exchange('q2', 'a2'));
    const third = await appendExchange(db, uid, id, exchange('q3', 'a3'));

    // Regenerate the last answer: a new answer to the same question, no new question.
    const again = await appendExchange(db, uid, id, {
      assistant: exchange('', 'a3 again').assistant,
      regenerates: third.user!.id,
    });
    expect(again.user).toBeUndefined();
    expect(again.assistant.parentId).toBe(third.user!.id);
    expect((await getConversation(db, uid, id)).messages.map((m) => m.content)).toEqual([
      'q1',
      'a1',
      'q2',
      'a2',
      'q3',
      'a3 again',
    ]);

    // Edit the second question: it follows the first answer, beside the original.
    const edited = await appendExchange(db, uid, id, {
      ...exchange('q2 edited', 'a2 edited'),
      parentId: first.assistant.id,
    });
    expect(edited.conversation.messageCount).toBe(9);
    const { conversation, messages, alternatives } = await getConversation(db, uid, id);
    expect(messages.map((m) => m.content)).toEqual(['q1', 'a1', 'q2 edited', 'a2 edited']);
    expect(messages.map((m) => m.parentId)).toEqual([
      null,
      first.user!.id,
      first.assistant.id,
      edited.user!.id,
    ]);
    expect(alternatives.map((m) => m.content)).toEqual(['q2', 'a2', 'q3', 'a3', 'a3 again']);
    expect(alternatives[0]).toMatchObject({ id: second.user!.id, parentId: first.assistant.id });
    expect(conversation.messageCount).toBe(9);
    const seqs = (await db.collection(`users/${uid}/conversations/${id}/messages`).get()).docs
      .map((d) => d.get('seq') as number)
      .sort((x, y) => x - y);
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);

    // Showing the first answer to q3 again: the path runs through the original q2.
    await selectBranch(db, uid, id, third.assistant.id);
    expect((await getConversation(db, uid, id)).messages.map((m) => m.content)).toEqual([
      'q1',
      'a1',
      'q2',
      'a2',
      'q3',
      'a3',
    ]);
    await expect(selectBranch(db, uid, id, 'nope')).rejects.toMatchObject({
      kind: 'not-found',
      message: 'leafId: no such message',
    });
  });

  it('when a stopped turn is stored after the turn that follows it, then the later turn stays shown and follows it', async () => {
    const uid = freshUid();
    const now = clock();
    const { id } = await createConversation(db, uid, { title: 't', model: 'local/echo' }, now);
    const stopped = newExchangeIds(db, uid, id, false);
    const next = newExchangeIds(db, uid, id, false);
    const started = now();
    // The next turn, asked 2 s after the stopped one, is stored first.
    await appendExchange(
      db,
      uid,
      id,
      { ...exchange('q2', 'a2'), ids: next, parentId: stopped.answer, startedAt: started + 2000 },
      now,
    );
    await appendExchange(
      db,
      uid,
      id,
      {
        ...exchange('q1', 'a1', { complete: false, finishReason: 'cancelled' }),
        ids: stopped,
        parentId: null,
        startedAt: started,
      },
      now,
    );
    const { messages, alternatives } = await getConversation(db, uid, id);
    expect(messages.map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(messages.map((m) => m.id)).toEqual([
      stopped.question,
      stopped.answer,
      next.question,
      next.answer,
    ]);
    expect(alternatives).toEqual([]);
  });

  it('when a turn is deleted, then its question and every answer go and what followed follows its parent', async () => {
    const uid = freshUid();
    const { id } = await createConversation(db, uid, { title: 't', model: 'local/echo' });
    const first = await appendExchange(db, uid, id, exchange('q1', 'a1'));
    const second = await appendExchange(db, uid, id, exchange('q2', 'a2'));
    const regenerated = await appendExchange(db, uid, id, {
      assistant: exchange('', 'a2 again').assistant,
      regenerates: second.user!.id,
    });
    const third = await appendExchange(db, uid, id, exchange('q3', 'a3'));

    const result = await deleteTurn(db, uid, id, second.user!.id);
    expect(new Set(result.deleted)).toEqual(
      new Set([second.user!.id, second.assistant.id, regenerated.assistant.id]),
    );
    expect(result.leafId).toBe(third.assistant.id);
    const { conversation, messages, alternatives } = await getConversation(db, uid, id);
    expect(messages.map((m) => m.content)).toEqual(['q1', 'a1', 'q3', 'a3']);
    expect(messages[2]?.parentId).toBe(first.assistant.id);
    expect(alternatives).toEqual([]);
    expect(conversation.messageCount).toBe(4);

    // The shown last turn: the path ends at the answer before it.
    const last = await deleteTurn(db, uid, id, third.user!.id);
    expect(last.leafId).toBe(first.assistant.id);
    expect((await getConversation(db, uid, id)).messages.map((m) => m.content)).toEqual([
      'q1',
      'a1',
    ]);
    // Every turn: an empty conversation, which the next exchange starts again.
    expect((await deleteTurn(db, uid, id, first.user!.id)).leafId).toBeUndefined();
    expect((await getConversation(db, uid, id)).messages).toEqual([]);
    await appendExchange(db, uid, id, exchange('q4', 'a4'));
    expect((await getConversation(db, uid, id)).messages.map((m) => m.content)).toEqual([
      'q4',
      'a4',
    ]);
  });

  it('when a turn names an answer, a missing message or another conversation, then delete refuses it and changes nothing', async () => {
    const uid = freshUid();
    const { id } = await createConversation(db, uid, { title: 't', model: 'local/echo' });
    const other = await createConversation(db, uid, { title: 'o', model: 'local/echo' });
    const turn = await appendExchange(db, uid, id, exchange('q1', 'a1'));
    const elsewhere = await appendExchange(db, uid, other.id, exchange('q', 'a'));
    for (const questionId of [turn.assistant.id, 'missing', elsewhere.user!.id]) {
      await expect(deleteTurn(db, uid, id, questionId)).rejects.toMatchObject({
        kind: 'not-found',
        message: 'questionId: no such question in this conversation',
      });
    }
    await expect(deleteTurn(db, freshUid(), id, turn.user!.id)).rejects.toMatchObject({
      kind: 'not-found',
    });
    expect((await getConversation(db, uid, id)).messages).toHaveLength(2);
  });

  it('when a conversation was stored before branches, then it reads as a line, continues after its last message, and a deleted turn keeps the rest in order', async () => {
    const uid = freshUid();
    const { id } = await createConversation(db, uid, { title: 't', model: 'local/echo' });
    const turns = [];
    for (const n of [1, 2, 3])
      turns.push(await appendExchange(db, uid, id, exchange(`q${n}`, `a${n}`)));
    // As the store wrote them before: no parent, no leaf, no next seq.
    const ref = db.doc(`users/${uid}/conversations/${id}`);
    const messages = await ref.collection('messages').get();
    for (const doc of messages.docs) await doc.ref.update({ parentId: FieldValue.delete() });
    await ref.update({
      leafId: FieldValue.delete(),
      leafAt: FieldValue.delete(),
      nextSeq: FieldValue.delete(),
    });

    const read = await getConversation(db, uid, id);
    expect(read.messages.map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'a3']);
    expect(read.messages[4]?.parentId).toBe(turns[1]!.assistant.id);

    const fourth = await appendExchange(db, uid, id, exchange('q4', 'a4'));
    expect(fourth.user?.parentId).toBe(turns[2]!.assistant.id);
    await deleteTurn(db, uid, id, turns[1]!.user!.id);
    expect((await getConversation(db, uid, id)).messages.map((m) => m.content)).toEqual([
      'q1',
      'a1',
      'q3',
      'a3',
      'q4',
      'a4',
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
