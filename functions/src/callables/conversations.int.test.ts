// The history callables as a client meets them: hosted the way Cloud Run hosts them, called
// with the real firebase client SDK, backed by a real Firestore emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Firestore } from 'firebase-admin/firestore';
import {
  GetConversationResponse,
  ListConversationsResponse,
  RenameConversationResponse,
  type ClientTokenClaims,
} from '@colonycraft/protocol';
import { generateTokenKeys } from '@colonycraft/testing';
import { issueClientToken } from '../auth/client-token.js';
import { loadSigningKey } from '../auth/signing-keys.js';
import { startCallableTestbed, type CallableTestbed } from '../dev/callable-testbed.js';
import * as callables from './conversations.js';
import { appendExchange, createConversation } from '../conversations/conversation-store.js';

let db: Firestore;

let bed: CallableTestbed<keyof typeof callables & string>;

beforeAll(async () => {
  bed = await startCallableTestbed(callables, 'history-test');
  db = bed.db;
});

afterAll(() => bed?.close());

const tokenFor = (uid: string, more?: Partial<ClientTokenClaims>) => bed.tokenFor(uid, more);
const call = (name: Parameters<typeof bed.call>[0], data: unknown) => bed.call(name, data);

async function seed(uid: string, title: string, exchanges = 1, at = Date.now()): Promise<string> {
  const { id } = await createConversation(db, uid, { title, model: 'local/echo' }, () => at);
  for (let n = 1; n <= exchanges; n += 1) {
    await appendExchange(
      db,
      uid,
      id,
      {
        user: { content: `${title} q${n}` },
        assistant: {
          content: `${title} a${n}`,
          model: 'local/echo',
          usage: { inputTokens: 3, outputTokens: 2, estimated: true },
          costUsd: 0,
          latencyMs: 5,
          finishReason: 'stop',
          complete: true,
        },
      },
      () => at,
    );
  }
  return id;
}

describe('listConversations and getConversation', () => {
  it('when five conversations are paged two at a time, then three pages come newest first', async () => {
    const uid = `u-${randomUUID()}`;
    const clientToken = await tokenFor(uid);
    for (let n = 0; n < 5; n += 1) await seed(uid, `c${n}`, 0, 1_700_000_000_000 + n);

    const titles: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = ListConversationsResponse.parse(
        await call('listConversations', { clientToken, pageSize: 2, cursor }),
      );
      titles.push(page.conversations.map((c) => c.title));
      cursor = page.nextCursor;
    } while (cursor);
    expect(titles).toEqual([['c4', 'c3'], ['c2', 'c1'], ['c0']]);
  });

  it('when a conversation is read, then its messages come in the order they were written', async () => {
    const uid = `u-${randomUUID()}`;
    const id = await seed(uid, 'talk', 3);
    const { conversation, messages } = GetConversationResponse.parse(
      await call('getConversation', { clientToken: await tokenFor(uid), conversationId: id }),
    );
    expect(conversation).toMatchObject({ id, title: 'talk', messageCount: 6 });
    expect(messages.map((m) => m.content)).toEqual([
      'talk q1',
      'talk a1',
      'talk q2',
      'talk a2',
      'talk q3',
      'talk a3',
    ]);
  });

  it('when pageSize is out of range, then the call is invalid-argument naming pageSize', async () => {
    const clientToken = await tokenFor(`u-${randomUUID()}`);
    await expect(call('listConversations', { clientToken, pageSize: 0 })).rejects.toMatchObject({
      code: 'functions/invalid-argument',
      message: expect.stringMatching(/^pageSize: /),
    });
  });
});

describe('renameConversation and deleteConversation', () => {
  it('when renamed, then the new trimmed title is returned and stored', async () => {
    const uid = `u-${randomUUID()}`;
    const id = await seed(uid, 'old');
    const renamed = RenameConversationResponse.parse(
      await call('renameConversation', {
        clientToken: await tokenFor(uid),
        conversationId: id,
        title: '  Harvest plan ',
      }),
    );
    expect(renamed.conversation).toMatchObject({ id, title: 'Harvest plan' });
    expect((await db.doc(`users/${uid}/conversations/${id}`).get()).get('title')).toBe(
      'Harvest plan',
    );
  });

  it('when the title is empty, then the call is invalid-argument naming title', async () => {
    const uid = `u-${randomUUID()}`;
    const id = await seed(uid, 'old');
    await expect(
      call('renameConversation', {
        clientToken: await tokenFor(uid),
        conversationId: id,
        title: '',
      }),
    ).rejects.toMatchObject({
      code: 'functions/invalid-argument',
      message: expect.stringMatching(/^title: /),
    });
  });

  it('when deleted, then the conversation and its messages are gone', async () => {
    const uid = `u-${randomUUID()}`;
    const id = await seed(uid, 'doomed', 2);
    const clientToken = await tokenFor(uid);
    expect(await call('deleteConversation', { clientToken, conversationId: id })).toEqual({
      deleted: true,
    });
    const messages = await db.collection(`users/${uid}/conversations/${id}/messages`).get();
    expect(messages.size).toBe(0);
    await expect(
      call('getConversation', { clientToken, conversationId: id }),
    ).rejects.toMatchObject({ code: 'functions/not-found' });
  });
});

describe('access', () => {
  it("when another user names someone's conversation, then get, rename and delete are not-found", async () => {
    const owner = `u-${randomUUID()}`;
    const id = await seed(owner, 'private', 1);
    const clientToken = await tokenFor(`u-${randomUUID()}`);
    const notFound = { code: 'functions/not-found' };

    await expect(
      call('getConversation', { clientToken, conversationId: id }),
    ).rejects.toMatchObject(notFound);
    await expect(
      call('renameConversation', { clientToken, conversationId: id, title: 'mine now' }),
    ).rejects.toMatchObject(notFound);
    await expect(
      call('deleteConversation', { clientToken, conversationId: id }),
    ).rejects.toMatchObject(notFound);
    const stored = (await db.doc(`users/${owner}/conversations/${id}`).get()).data();
    expect(stored).toMatchObject({ title: 'private', messageCount: 2 });
  });

  it('when the client token is missing, malformed or signed by an unknown key, then every callable is unauthenticated', async () => {
    const uid = `u-${randomUUID()}`;
    const id = await seed(uid, 'guarded');
    const strangerKeys = await generateTokenKeys('stranger');
    const forged = (
      await issueClientToken(
        { sub: uid, role: 'admin', models: ['*'], tier: 'unlimited', jti: 'x' },
        await loadSigningKey(JSON.stringify(strangerKeys.signing)),
      )
    ).token;
    const names = [
      'listConversations',
      'getConversation',
      'renameConversation',
      'deleteConversation',
    ] as const;
    for (const clientToken of [undefined, '', 'not-a-jwt', forged]) {
      for (const name of names) {
        await expect(
          call(name, { clientToken, conversationId: id, title: 'x' }),
          `${name} with ${String(clientToken).slice(0, 12)}`,
        ).rejects.toMatchObject({ code: 'functions/unauthenticated' });
      }
    }
    expect((await db.doc(`users/${uid}/conversations/${id}`).get()).get('title')).toBe('guarded');
  });
});

describe("an API key's token", () => {
  const noScope = (scope: string) => ({
    code: 'functions/permission-denied',
    // The client SDK appends the HTTP status to the message.
    message: expect.stringMatching(
      new RegExp(`^conversations: this API key's token has no ${scope} scope \\[403\\]$`),
    ),
  });

  it('when its key has no conversations scope, then list, get, rename and delete are permission-denied and nothing changes', async () => {
    const uid = `u-${randomUUID()}`;
    const id = await seed(uid, 'diary', 1);
    const clientToken = await tokenFor(uid, { key: `key-${randomUUID()}` });

    await expect(call('listConversations', { clientToken })).rejects.toMatchObject(
      noScope('conversations'),
    );
    await expect(
      call('getConversation', { clientToken, conversationId: id }),
    ).rejects.toMatchObject(noScope('conversations'));
    await expect(
      call('renameConversation', { clientToken, conversationId: id, title: 'mine now' }),
    ).rejects.toMatchObject(noScope('conversations:write'));
    await expect(
      call('deleteConversation', { clientToken, conversationId: id }),
    ).rejects.toMatchObject(noScope('conversations:write'));
    const stored = (await db.doc(`users/${uid}/conversations/${id}`).get()).data();
    expect(stored).toMatchObject({ title: 'diary', messageCount: 2 });
  });

  it('when its key has the conversations scope, then it lists and reads, and rename and delete are permission-denied', async () => {
    const uid = `u-${randomUUID()}`;
    const id = await seed(uid, 'diary', 1);
    const clientToken = await tokenFor(uid, { key: `key-${randomUUID()}`, conversations: 'read' });

    const page = ListConversationsResponse.parse(await call('listConversations', { clientToken }));
    expect(page.conversations.map((c) => c.id)).toEqual([id]);
    const got = GetConversationResponse.parse(
      await call('getConversation', { clientToken, conversationId: id }),
    );
    expect(got.messages.map((m) => m.content)).toEqual(['diary q1', 'diary a1']);
    await expect(
      call('renameConversation', { clientToken, conversationId: id, title: 'mine now' }),
    ).rejects.toMatchObject(noScope('conversations:write'));
    await expect(
      call('deleteConversation', { clientToken, conversationId: id }),
    ).rejects.toMatchObject(noScope('conversations:write'));
    expect((await db.doc(`users/${uid}/conversations/${id}`).get()).get('title')).toBe('diary');
  });

  it('when its key has the conversations:write scope, then it renames and deletes too', async () => {
    const uid = `u-${randomUUID()}`;
    const id = await seed(uid, 'diary', 1);
    const clientToken = await tokenFor(uid, {
      key: `key-${randomUUID()}`,
      conversations: 'write',
    });

    ListConversationsResponse.parse(await call('listConversations', { clientToken }));
    await call('renameConversation', { clientToken, conversationId: id, title: 'renamed' });
    expect((await db.doc(`users/${uid}/conversations/${id}`).get()).get('title')).toBe('renamed');
    expect(await call('deleteConversation', { clientToken, conversationId: id })).toEqual({
      deleted: true,
    });
  });
});
