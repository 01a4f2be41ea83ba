// The history callables: list, read, rename and delete the caller's own conversations, show
// another version of one, and delete a turn. The
// caller is whoever the client token names; data is read only under that uid. An API key's
// token reaches them only as far as its key's conversation scopes allow.
import {
  DeleteConversationRequest,
  DeleteTurnRequest,
  SelectBranchRequest,
  type DeleteTurnResponse,
  type SelectBranchResponse,
  GetConversationRequest,
  ListConversationsRequest,
  RenameConversationRequest,
  type DeleteConversationResponse,
  type GetConversationResponse,
  type ListConversationsResponse,
  type RenameConversationResponse,
} from '@colonycraft/protocol';
import { db } from '../firebase.js';
import * as store from '../conversations/conversation-store.js';
import { revokeSharesOf } from '../shares/share-store.js';
import { conversationReader, conversationWriter, defineCallable } from './define-callable.js';

export const listConversations = defineCallable({
  caller: conversationReader,
  input: ListConversationsRequest,
  handle: ({ pageSize, cursor }, { caller: { sub: uid } }): Promise<ListConversationsResponse> =>
    store.listConversations(db(), uid, { pageSize, cursor }),
});

export const getConversation = defineCallable({
  caller: conversationReader,
  input: GetConversationRequest,
  handle: ({ conversationId }, { caller: { sub: uid } }): Promise<GetConversationResponse> =>
    store.getConversation(db(), uid, conversationId),
});

export const renameConversation = defineCallable({
  caller: conversationWriter,
  input: RenameConversationRequest,
  handle: async (
    { conversationId, title },
    { caller: { sub: uid } },
  ): Promise<RenameConversationResponse> => ({
    conversation: await store.renameConversation(db(), uid, conversationId, title),
  }),
});

export const deleteConversation = defineCallable({
  caller: conversationWriter,
  input: DeleteConversationRequest,
  handle: async (
    { conversationId },
    { caller: { sub: uid } },
  ): Promise<DeleteConversationResponse> => {
    // Its shares go first: a deleted conversation is not left readable through a link.
    await revokeSharesOf(db(), uid, conversationId);
    await store.deleteConversation(db(), uid, conversationId);
    return { deleted: true };
  },
});

export const selectBranch = defineCallable({
  caller: conversationWriter,
  input: SelectBranchRequest,
  handle: async (
    { conversationId, leafId },
    { caller: { sub: uid } },
  ): Promise<SelectBranchResponse> => ({
    leafId: await store.selectBranch(db(), uid, conversationId, leafId),
  }),
});

export const deleteTurn = defineCallable({
  caller: conversationWriter,
  input: DeleteTurnRequest,
  handle: ({ conversationId, questionId }, { caller: { sub: uid } }): Promise<DeleteTurnResponse> =>
    store.deleteTurn(db(), uid, conversationId, questionId),
});
