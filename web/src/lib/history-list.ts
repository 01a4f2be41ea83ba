// The History list as a reducer: pages appended as "Load more" fetches them, and local changes
// (a new or continued conversation, a rename, a delete) applied without refetching. Pure, so
// paging can be tested without a server.
import type { Conversation, ListConversationsResponse } from '@colonycraft/protocol';
import type { UserError } from './errors.ts';

export type HistoryStatus = 'idle' | 'loading' | 'loading-more' | 'ready' | 'error';

export interface HistoryState {
  conversations: Conversation[];
  /** The cursor of the next page; absent when the last page is loaded. */
  nextCursor?: string | undefined;
  status: HistoryStatus;
  error?: UserError | undefined;
}

export type HistoryAction =
  | { type: 'loading'; more: boolean }
  | { type: 'loaded'; page: ListConversationsResponse; more: boolean }
  | { type: 'failed'; error: UserError }
  | { type: 'upserted'; conversation: Conversation }
  | { type: 'touched'; id: string; at: number }
  | { type: 'removed'; id: string }
  | { type: 'reset' };

export const initialHistory: HistoryState = { conversations: [], status: 'idle' };

/** Newest activity first, ties broken by id, exactly as the server orders its pages. */
function newestFirst(a: Conversation, b: Conversation): number {
  return b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * Merges by id, then orders newest first. A page may hold an older copy of a conversation that
 * moved up meanwhile, so a page's copy wins only when it is at least as recent; a copy the
 * server has just returned for that one conversation (`fresh`) always wins.
 */
function merge(current: Conversation[], incoming: Conversation[], fresh = false): Conversation[] {
  const byId = new Map(current.map((c) => [c.id, c]));
  for (const conversation of incoming) {
    const known = byId.get(conversation.id);
    if (fresh || !known || known.updatedAt <= conversation.updatedAt) {
      byId.set(conversation.id, conversation);
    }
  }
  return [...byId.values()].sort(newestFirst);
}

export function reduceHistory(state: HistoryState, action: HistoryAction): HistoryState {
  switch (action.type) {
    case 'loading':
      return { ...state, status: action.more ? 'loading-more' : 'loading', error: undefined };
    case 'loaded':
      return {
        conversations: merge(action.more ? state.conversations : [], action.page.conversations),
        nextCursor: action.page.nextCursor,
        status: 'ready',
      };
    case 'failed':
      return { ...state, status: 'error', error: action.error };
    case 'upserted':
      return { ...state, conversations: merge(state.conversations, [action.conversation], true) };
    case 'touched': {
      const known = state.conversations.find((c) => c.id === action.id);
      if (!known) return state;
      const touched = { ...known, updatedAt: Math.max(known.updatedAt, action.at) };
      return { ...state, conversations: merge(state.conversations, [touched]) };
    }
    case 'removed':
      return { ...state, conversations: state.conversations.filter((c) => c.id !== action.id) };
    case 'reset':
      return initialHistory;
  }
}

/** Whether "Load more" has anything to load. */
export function hasMore(state: HistoryState): boolean {
  return state.nextCursor !== undefined;
}
