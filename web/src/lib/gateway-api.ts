// The gateway's request–response callables the app uses (the model catalog, the history and
// the person's settings),
// each sent with a client token and each answer validated. A token refused as unauthenticated
// is renewed once and the call retried, as the chat does.
import {
  DeleteConversationResponse,
  DeleteTurnResponse,
  SelectBranchResponse,
  GetConversationResponse,
  ListConversationsResponse,
  ListModelsResponse,
  RenameConversationResponse,
  SearchConversationsResponse,
  SettingsResponse,
  describeIssues,
  type UserSettings,
} from '@colonycraft/protocol';
import { httpsCallable, type Functions } from 'firebase/functions';
import type { z } from 'zod';
import { codeOf } from './errors.ts';

/** Calls the callable `name` with `data` and resolves with its `data`; tests pass a fake. */
export type Invoke = (name: string, data: Record<string, unknown>) => Promise<unknown>;

export interface TokenSource {
  get(): Promise<string>;
  refresh(): Promise<string>;
}

export const HISTORY_PAGE_SIZE = 20;
export const SEARCH_PAGE_SIZE = 10;

export function firebaseInvoke(functions: () => Functions): Invoke {
  return async (name, data) => (await httpsCallable(functions(), name)(data)).data;
}

export class UnexpectedAnswerError extends Error {
  constructor(name: string, issues: string) {
    super(`${name} answered unexpectedly: ${issues}`);
    this.name = 'UnexpectedAnswerError';
  }
}

export function createGatewayApi(invoke: Invoke, token: TokenSource) {
  async function call<S extends z.ZodType>(
    name: string,
    payload: Record<string, unknown>,
    schema: S,
  ): Promise<z.infer<S>> {
    const run = async (clientToken: string) => {
      const parsed = schema.safeParse(await invoke(name, { ...payload, clientToken }));
      if (!parsed.success) throw new UnexpectedAnswerError(name, describeIssues(parsed.error));
      return parsed.data;
    };
    try {
      return await run(await token.get());
    } catch (error) {
      if (codeOf(error) !== 'functions/unauthenticated') throw error;
      return run(await token.refresh());
    }
  }

  return {
    listModels: () => call('listModels', {}, ListModelsResponse),
    listConversations: (cursor?: string) =>
      call(
        'listConversations',
        { pageSize: HISTORY_PAGE_SIZE, ...(cursor ? { cursor } : {}) },
        ListConversationsResponse,
      ),
    searchConversations: (query: string, cursor?: string) =>
      call(
        'searchConversations',
        { query, pageSize: SEARCH_PAGE_SIZE, ...(cursor ? { cursor } : {}) },
        SearchConversationsResponse,
      ),
    getConversation: (conversationId: string) =>
      call('getConversation', { conversationId }, GetConversationResponse),
    renameConversation: (conversationId: string, title: string) =>
      call('renameConversation', { conversationId, title }, RenameConversationResponse),
    deleteConversation: (conversationId: string) =>
      call('deleteConversation', { conversationId }, DeleteConversationResponse),
    selectBranch: (conversationId: string, leafId: string) =>
      call('selectBranch', { conversationId, leafId }, SelectBranchResponse),
    deleteTurn: (conversationId: string, questionId: string) =>
      call('deleteTurn', { conversationId, questionId }, DeleteTurnResponse),
    getSettings: () => call('getSettings', {}, SettingsResponse),
    saveSettings: (settings: UserSettings) => call('saveSettings', { settings }, SettingsResponse),
  };
}

export type GatewayApi = ReturnType<typeof createGatewayApi>;
