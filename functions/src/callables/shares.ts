// The sharing callables (docs/sharing.md): an owner shares a conversation as a read-only
// snapshot, lists and revokes their shares; anyone holding a link reads its snapshot, signed in
// or not. The owner's callables take the conversation scopes the history callables take: an
// API key's token shares and revokes with `conversations:write`, lists with `conversations`.
import {
  CreateShareRequest,
  GetSharedConversationRequest,
  ListSharesRequest,
  RevokeShareRequest,
  type CreateShareResponse,
  type GetSharedConversationResponse,
  type ListSharesResponse,
  type RevokeShareResponse,
} from '@colonycraft/protocol';
import { db } from '../firebase.js';
import * as conversations from '../conversations/conversation-store.js';
import * as shares from '../shares/share-store.js';
import {
  anyone,
  conversationReader,
  conversationWriter,
  defineCallable,
} from './define-callable.js';

/**
 * One link per conversation: sharing it again returns the existing share unchanged, so a
 * double click makes no second snapshot. A newer snapshot is a revoke and a new share (a new
 * link), so later messages never reach people who hold only the old link.
 */
export const createShare = defineCallable({
  caller: conversationWriter,
  input: CreateShareRequest,
  handle: async ({ conversationId }, { caller: { sub: uid } }): Promise<CreateShareResponse> => {
    const existing = await shares.findShare(db(), uid, conversationId);
    if (existing) return { share: existing, created: false };
    // Not-found for another user's conversation or a malformed id, as the history says.
    const { conversation, messages } = await conversations.getConversation(
      db(),
      uid,
      conversationId,
    );
    const share = await shares.writeSnapshot(db(), {
      ownerUid: uid,
      conversationId,
      title: conversation.title,
      messages,
    });
    return { share, created: true };
  },
});

export const listShares = defineCallable({
  caller: conversationReader,
  input: ListSharesRequest,
  handle: async ({ conversationId }, { caller: { sub: uid } }): Promise<ListSharesResponse> => ({
    shares: await shares.listShares(db(), uid, conversationId),
  }),
});

export const revokeShare = defineCallable({
  caller: conversationWriter,
  input: RevokeShareRequest,
  handle: async ({ shareId }, { caller: { sub: uid } }): Promise<RevokeShareResponse> => {
    await shares.revokeShare(db(), uid, shareId);
    return { revoked: true };
  },
});

/** No client token: a visitor who is not signed in has none. The share's id is the credential. */
export const getSharedConversation = defineCallable({
  caller: anyone,
  input: GetSharedConversationRequest,
  handle: ({ shareId }): Promise<GetSharedConversationResponse> => shares.readShare(db(), shareId),
});
