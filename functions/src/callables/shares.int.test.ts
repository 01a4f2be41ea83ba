// The sharing callables as a client meets them: hosted the way Cloud Run hosts them, called with
// the real firebase client SDK (never signed in: the link's reader sends no token), backed by a
// real Firestore emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Firestore } from 'firebase-admin/firestore';
import {
  CreateShareResponse,
  GetSharedConversationResponse,
  ListSharesResponse,
  type ClientTokenClaims,
} from '@colonycraft/protocol';
import { greyPng } from '@colonycraft/testing';
import { startCallableTestbed, type CallableTestbed } from '../dev/callable-testbed.js';
import * as store from '../conversations/conversation-store.js';
import * as conversationCallables from './conversations.js';
import * as shareCallables from './shares.js';

const callables = { ...shareCallables, ...conversationCallables };

let db: Firestore;

let bed: CallableTestbed<keyof typeof callables & string>;

beforeAll(async () => {
  bed = await startCallableTestbed(callables, 'shares-test');
  db = bed.db;
});

afterAll(() => bed?.close());

const tokenFor = (uid: string, more?: Partial<ClientTokenClaims>) => bed.tokenFor(uid, more);
const call = (name: Parameters<typeof bed.call>[0], data: unknown) => bed.call(name, data);

const PNG = greyPng(8, 6).toString('base64');

/**
 * Appends a question and its answer through the store. The store's exchange is changing shape
 * (edit branches add `ids` and `startedAt`), so both shapes are given and the ids are made
 * when the store offers a maker for them.
 */
async function appendTurn(uid: string, id: string, question: string, image = false) {
  const maker = (store as Record<string, unknown>).newExchangeIds as
    ((...args: unknown[]) => unknown) | undefined;
  const exchange = {
    ids: maker?.(db, uid, id, false),
    startedAt: Date.now(),
    user: {
      content: question,
      ...(image ? { images: [{ mediaType: 'image/png', data: PNG }] } : {}),
    },
    assistant: {
      content: `**answer** to ${question}`,
      model: 'local/echo',
      usage: { inputTokens: 3, outputTokens: 2, estimated: true },
      costUsd: 0.25,
      latencyMs: 5,
      finishReason: 'stop',
      complete: true,
    },
  };
  await store.appendExchange(db, uid, id, exchange as unknown as store.Exchange);
}

async function seed(uid: string, title: string): Promise<string> {
  const { id } = await store.createConversation(db, uid, { title, model: 'local/echo' });
  await appendTurn(uid, id, 'first question', true);
  await appendTurn(uid, id, 'second question');
  return id;
}

const notFound = {
  code: 'functions/not-found',
  message: expect.stringMatching(/^shareId: no such shared conversation/),
};

describe('sharing a conversation', () => {
  it('when shared, then anyone reads the snapshot signed out, later messages stay out, and after revoking it is not-found', async () => {
    const uid = `u-${randomUUID()}`;
    const clientToken = await tokenFor(uid);
    const conversationId = await seed(uid, 'Harvest plan');

    const { share, created } = CreateShareResponse.parse(
      await call('createShare', { clientToken, conversationId }),
    );
    expect(created).toBe(true);
    expect(share).toMatchObject({ conversationId, title: 'Harvest plan', messageCount: 4 });
    expect(share.id).toMatch(/^[A-Za-z0-9]{20}$/);

    // A later exchange and a rename are not part of the snapshot.
    await appendTurn(uid, conversationId, 'third question');
    await call('renameConversation', { clientToken, conversationId, title: 'Renamed' });

    // No client token at all, and no Firebase sign-in: a visitor with the link.
    const read = GetSharedConversationResponse.parse(
      await call('getSharedConversation', { shareId: share.id }),
    );
    expect(read.share).toEqual({
      id: share.id,
      title: 'Harvest plan',
      createdAt: share.createdAt,
      messageCount: 4,
    });
    expect(read.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'first question'],
      ['assistant', '**answer** to first question'],
      ['user', 'second question'],
      ['assistant', '**answer** to second question'],
    ]);
    expect(read.messages[0]?.images).toEqual([
      { id: expect.any(String), mediaType: 'image/png', data: PNG },
    ]);
    expect(read.messages[1]).toMatchObject({ model: 'local/echo' });
    // The owner's costs and usage are not shown to visitors.
    expect(JSON.stringify(read)).not.toMatch(/costUsd|usage|latencyMs|ownerUid|conversationId/);

    // Sharing again returns the same link.
    const again = CreateShareResponse.parse(
      await call('createShare', { clientToken, conversationId }),
    );
    expect(again).toEqual({ share, created: false });

    expect(await call('revokeShare', { clientToken, shareId: share.id })).toEqual({
      revoked: true,
    });
    await expect(call('getSharedConversation', { shareId: share.id })).rejects.toMatchObject(
      notFound,
    );
    const left = await db.collection(`shares/${share.id}/messages`).get();
    expect(left.size).toBe(0);
    await expect(call('revokeShare', { clientToken, shareId: share.id })).rejects.toMatchObject(
      notFound,
    );
    // The conversation itself is untouched.
    const kept = await store.getConversation(db, uid, conversationId);
    expect(kept.messages).toHaveLength(6);
  });

  it('when a share is unknown or revoked, then the read is the same not-found', async () => {
    const unknown = call('getSharedConversation', { shareId: 'A'.repeat(20) });
    await expect(unknown).rejects.toMatchObject(notFound);
  });

  it('when ids are malformed, then every call is invalid-argument naming the field', async () => {
    const clientToken = await tokenFor(`u-${randomUUID()}`);
    for (const shareId of ['short', 'x'.repeat(21), '../users/someone', 42, undefined]) {
      await expect(call('getSharedConversation', { shareId })).rejects.toMatchObject({
        code: 'functions/invalid-argument',
        message: expect.stringMatching(/^shareId: /),
      });
      await expect(call('revokeShare', { clientToken, shareId })).rejects.toMatchObject({
        code: 'functions/invalid-argument',
        message: expect.stringMatching(/^shareId: /),
      });
    }
    await expect(call('createShare', { clientToken, conversationId: 'a/b' })).rejects.toMatchObject(
      {
        code: 'functions/invalid-argument',
        message: expect.stringMatching(/^conversationId: must be a conversation id/),
      },
    );
  });

  it("when a conversation is someone else's or missing, then sharing it is not-found and makes nothing", async () => {
    const owner = `u-${randomUUID()}`;
    const conversationId = await seed(owner, 'private');
    const stranger = await tokenFor(`u-${randomUUID()}`);
    await expect(
      call('createShare', { clientToken: stranger, conversationId }),
    ).rejects.toMatchObject({ code: 'functions/not-found' });
    const shares = await db
      .collection('shares')
      .where('conversationId', '==', conversationId)
      .get();
    expect(shares.size).toBe(0);
  });
});

describe('the owner alone', () => {
  it('when another user revokes or lists, then the share is not-found to them and stays readable', async () => {
    const owner = `u-${randomUUID()}`;
    const ownerToken = await tokenFor(owner);
    const conversationId = await seed(owner, 'mine');
    const other = await seed(owner, 'also mine');
    const { share } = CreateShareResponse.parse(
      await call('createShare', { clientToken: ownerToken, conversationId }),
    );
    const { share: second } = CreateShareResponse.parse(
      await call('createShare', { clientToken: ownerToken, conversationId: other }),
    );

    const stranger = await tokenFor(`u-${randomUUID()}`);
    await expect(
      call('revokeShare', { clientToken: stranger, shareId: share.id }),
    ).rejects.toMatchObject(notFound);
    expect(
      ListSharesResponse.parse(await call('listShares', { clientToken: stranger })).shares,
    ).toEqual([]);
    expect(
      ListSharesResponse.parse(await call('listShares', { clientToken: stranger, conversationId }))
        .shares,
    ).toEqual([]);

    const mine = ListSharesResponse.parse(await call('listShares', { clientToken: ownerToken }));
    expect(mine.shares.map((s) => s.id).sort()).toEqual([share.id, second.id].sort());
    const one = ListSharesResponse.parse(
      await call('listShares', { clientToken: ownerToken, conversationId, cursor: null }),
    );
    expect(one.shares).toEqual([share]);
    GetSharedConversationResponse.parse(await call('getSharedConversation', { shareId: share.id }));
  });

  it('when the conversation is deleted, then its share is revoked with it', async () => {
    const uid = `u-${randomUUID()}`;
    const clientToken = await tokenFor(uid);
    const conversationId = await seed(uid, 'doomed');
    const { share } = CreateShareResponse.parse(
      await call('createShare', { clientToken, conversationId }),
    );
    await call('deleteConversation', { clientToken, conversationId });
    await expect(call('getSharedConversation', { shareId: share.id })).rejects.toMatchObject(
      notFound,
    );
  });

  it("when an API key's token lacks a scope, then sharing, listing and revoking are permission-denied", async () => {
    const uid = `u-${randomUUID()}`;
    const conversationId = await seed(uid, 'keyed');
    const { share } = CreateShareResponse.parse(
      await call('createShare', { clientToken: await tokenFor(uid), conversationId }),
    );
    const none = await tokenFor(uid, { key: `key-${randomUUID()}` });
    const read = await tokenFor(uid, { key: `key-${randomUUID()}`, conversations: 'read' });
    const denied = { code: 'functions/permission-denied' };

    await expect(call('listShares', { clientToken: none })).rejects.toMatchObject(denied);
    await expect(call('createShare', { clientToken: read, conversationId })).rejects.toMatchObject(
      denied,
    );
    await expect(
      call('revokeShare', { clientToken: read, shareId: share.id }),
    ).rejects.toMatchObject(denied);
    expect(
      ListSharesResponse.parse(await call('listShares', { clientToken: read })).shares,
    ).toEqual([share]);
  });

  it('when the owner calls without a client token, then the owner callables are unauthenticated', async () => {
    for (const name of ['createShare', 'listShares', 'revokeShare'] as const) {
      await expect(
        call(name, { conversationId: 'abc', shareId: 'A'.repeat(20) }),
      ).rejects.toMatchObject({ code: 'functions/unauthenticated' });
    }
  });
});
