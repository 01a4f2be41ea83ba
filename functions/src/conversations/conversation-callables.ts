// The history callables: list, read, rename and delete the caller's own conversations. The
// caller is whoever the client token names; data is read only under that uid.
import { onCall, type CallableFunction } from 'firebase-functions/v2/https';
import type { z } from 'zod';
import {
  DeleteConversationRequest,
  GetConversationRequest,
  ListConversationsRequest,
  RenameConversationRequest,
  describeIssues,
  type DeleteConversationResponse,
  type GetConversationResponse,
  type ListConversationsResponse,
  type RenameConversationResponse,
} from '@colonycraft/protocol';
import { GatewayError, toHttpsError } from '../errors.js';
import { authenticateClientToken } from '../auth/authenticate.js';
import { db } from '../firebase.js';
import * as store from './conversation-store.js';

/** The token is checked before the payload, so a caller without one learns nothing else. */
async function callerOf(data: unknown): Promise<string> {
  const token =
    typeof data === 'object' && data !== null && 'clientToken' in data
      ? data.clientToken
      : undefined;
  if (typeof token !== 'string' || token.length === 0) {
    throw new GatewayError('unauthenticated', 'clientToken: a client token is required.');
  }
  return (await authenticateClientToken(token)).sub;
}

function historyCallable<S extends z.ZodType, R>(
  schema: S,
  handle: (uid: string, request: z.infer<S>) => Promise<R>,
): CallableFunction<unknown, Promise<R>> {
  return onCall<unknown, Promise<R>>(async (request) => {
    try {
      const uid = await callerOf(request.data);
      const parsed = schema.safeParse(request.data);
      if (!parsed.success) throw new GatewayError('invalid-argument', describeIssues(parsed.error));
      return await handle(uid, parsed.data);
    } catch (error) {
      throw toHttpsError(error);
    }
  });
}

export const listConversations = historyCallable(
  ListConversationsRequest,
  (uid, { pageSize, cursor }): Promise<ListConversationsResponse> =>
    store.listConversations(db(), uid, { pageSize, cursor }),
);

export const getConversation = historyCallable(
  GetConversationRequest,
  (uid, { conversationId }): Promise<GetConversationResponse> =>
    store.getConversation(db(), uid, conversationId),
);

export const renameConversation = historyCallable(
  RenameConversationRequest,
  async (uid, { conversationId, title }): Promise<RenameConversationResponse> => ({
    conversation: await store.renameConversation(db(), uid, conversationId, title),
  }),
);

export const deleteConversation = historyCallable(
  DeleteConversationRequest,
  async (uid, { conversationId }): Promise<DeleteConversationResponse> => {
    await store.deleteConversation(db(), uid, conversationId);
    return { deleted: true };
  },
);
