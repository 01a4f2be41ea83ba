// The searchConversations callable as a client meets it: hosted the way Cloud Run hosts it,
// called with the real firebase client SDK, backed by a real Firestore emulator, with the
// conversations written by the store itself (so its index entries are the store's own).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Firestore } from 'firebase-admin/firestore';
import { SearchConversationsResponse, type ClientTokenClaims } from '@colonycraft/protocol';
import { startCallableTestbed, type CallableTestbed } from '../dev/callable-testbed.js';
import { indexMessage, indexTitle } from '../conversations/search-index.js';
import * as conversations from './conversations.js';
import * as search from './search.js';

let db: Firestore;

const callables = { ...conversations, ...search };

let bed: CallableTestbed<keyof typeof callables & string>;

beforeAll(async () => {
  bed = await startCallableTestbed(callables, 'search-test');
  db = bed.db;
});

afterAll(() => bed?.close());

const tokenFor = (uid: string, more?: Partial<ClientTokenClaims>) => bed.tokenFor(uid, more);
const call = (name: Parameters<typeof bed.call>[0], data: unknown) => bed.call(name, data);

/** A conversation and one message, indexed in the transaction that writes them. */
async function seed(uid: string, title: string, question: string): Promise<string> {
  const ref = db.collection('users').doc(uid).collection('conversations').doc();
  const message = ref.collection('messages').doc();
  const at = Date.now();
  await db.runTransaction(async (tx) => {
    tx.create(ref, { title, createdAt: at, updatedAt: at, messageCount: 1 });
    tx.create(message, { role: 'user', content: question, createdAt: at, seq: 0 });
    indexMessage(tx, ref, { id: message.id, role: 'user', content: question, createdAt: at });
    indexTitle(tx, ref, title, at);
  });
  return ref.id;
}

describe('searchConversations', () => {
  it('when a person searches, then their matching conversation comes back with a marked snippet', async () => {
    const uid = `u-${randomUUID()}`;
    const id = await seed(uid, 'Garden', 'When should I plant tomatoes?');
    const page = SearchConversationsResponse.parse(
      await call('searchConversations', { clientToken: await tokenFor(uid), query: 'Tomato' }),
    );
    expect(page.results).toMatchObject([
      {
        conversationId: id,
        match: 'message',
        role: 'user',
        snippet: { text: 'When should I plant tomatoes?', highlights: [{ start: 20, end: 26 }] },
      },
    ]);
  });

  it.each([
    ['an empty query', { query: '   ' }, /^query: must not be empty/],
    ['a query too long', { query: 'x'.repeat(201) }, /^query: must be at most 200 characters/],
    ['no query', {}, /^query: /],
    ['a page size of 0', { query: 'ok', pageSize: 0 }, /^pageSize: /],
    ['a page size of 26', { query: 'ok', pageSize: 26 }, /^pageSize: /],
    ['a malformed cursor', { query: 'ok', cursor: 'abc' }, /^cursor: is not a cursor/],
    ['a cursor with a path', { query: 'ok', cursor: '0000000000000001_a/b' }, /^cursor: /],
  ])(
    'when the request has %s, then it is invalid-argument naming the field',
    async (_, data, message) => {
      const clientToken = await tokenFor(`u-${randomUUID()}`);
      await expect(call('searchConversations', { clientToken, ...data })).rejects.toMatchObject({
        code: 'functions/invalid-argument',
        message: expect.stringMatching(message),
      });
    },
  );

  it('when the client token is missing, then the call is unauthenticated', async () => {
    await expect(call('searchConversations', { query: 'x' })).rejects.toMatchObject({
      code: 'functions/unauthenticated',
    });
  });

  it("when an API key's token has no conversations scope, then it is permission-denied; with it, it searches", async () => {
    const uid = `u-${randomUUID()}`;
    await seed(uid, 'Diary', 'dear diary');
    const none = await tokenFor(uid, { key: `key-${randomUUID()}` });
    await expect(
      call('searchConversations', { clientToken: none, query: 'diary' }),
    ).rejects.toMatchObject({ code: 'functions/permission-denied' });
    const reader = await tokenFor(uid, { key: `key-${randomUUID()}`, conversations: 'read' });
    const page = SearchConversationsResponse.parse(
      await call('searchConversations', { clientToken: reader, query: 'diary' }),
    );
    expect(page.results.map((r) => r.title.text)).toEqual(['Diary']);
  });
});
