// The sharing callables (docs/sharing.md). The owner's (create, list, revoke) carry the signed-in
// person's client token, renewed once if refused, as the other gateway calls do; reading a
// share carries none, so a visitor who is not signed in can open a link. Every answer is
// validated.
import {
  CreateShareResponse,
  GetSharedConversationResponse,
  ListSharesResponse,
  RevokeShareResponse,
  describeIssues,
} from '@colonycraft/protocol';
import type { z } from 'zod';
import { codeOf } from './errors.ts';
import { UnexpectedAnswerError, type Invoke, type TokenSource } from './gateway-api.ts';

export function createShareApi(invoke: Invoke, token?: TokenSource) {
  async function answer<S extends z.ZodType>(
    name: string,
    data: Record<string, unknown>,
    schema: S,
  ): Promise<z.infer<S>> {
    const parsed = schema.safeParse(await invoke(name, data));
    if (!parsed.success) throw new UnexpectedAnswerError(name, describeIssues(parsed.error));
    return parsed.data;
  }

  async function asOwner<S extends z.ZodType>(
    name: string,
    payload: Record<string, unknown>,
    schema: S,
  ): Promise<z.infer<S>> {
    if (!token) throw new Error(`${name} needs a signed-in person's client token`);
    try {
      return await answer(name, { ...payload, clientToken: await token.get() }, schema);
    } catch (error) {
      if (codeOf(error) !== 'functions/unauthenticated') throw error;
      return answer(name, { ...payload, clientToken: await token.refresh() }, schema);
    }
  }

  return {
    createShare: (conversationId: string) =>
      asOwner('createShare', { conversationId }, CreateShareResponse),
    listShares: (conversationId?: string) =>
      asOwner('listShares', conversationId ? { conversationId } : {}, ListSharesResponse),
    revokeShare: (shareId: string) => asOwner('revokeShare', { shareId }, RevokeShareResponse),
    getSharedConversation: (shareId: string) =>
      answer('getSharedConversation', { shareId }, GetSharedConversationResponse),
  };
}

export type ShareApi = ReturnType<typeof createShareApi>;

/** Whether a share read failed because the link leads nowhere (revoked, unknown, malformed). */
export function isMissingShare(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'functions/not-found' || code === 'functions/invalid-argument';
}
