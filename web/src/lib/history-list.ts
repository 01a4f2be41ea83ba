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
  /**
   * While the first page is on its way: the conversations changed here meanwhile (started,
   * continued, renamed) and those deleted. The page is the server's list from before them, so
   * it is merged with the first and cleared of the second rather than replacing the list.
   */
  sinceLoad?: { changed: string[]; removed: string[] } | undefined;
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

/** Notes a local change while the first page is loading; otherwise there is nothing to note. */
function noted(state: HistoryState, kind: 'changed' | 'removed', id: string): HistoryState {
  if (state.status !== 'loading' || !state.sinceLoad) return state;
  return { ...state, sinceLoad: { ...state.sinceLoad, [kind]: [...state.sinceLoad[kind], id] } };
}

export function reduceHistory(state: HistoryState, action: HistoryAction): HistoryState {
  switch (action.type) {
    case 'loading':
      return {
        ...state,
        status: action.more ? 'loading-more' : 'loading',
        error: undefined,
        ...(action.more ? {} : { sinceLoad: { changed: [], removed: [] } }),
      };
    case 'loaded': {
      if (action.more) {
        return {
          ...state,
          conversations: merge(state.conversations, action.page.conversations),
          nextCursor: action.page.nextCursor,
          status: 'ready',
        };
      }
      // The first page replaces the list, except for what changed here since it was asked for.
      const { changed, removed } = state.sinceLoad ?? { changed: [], removed: [] };
      const kept = state.conversations.filter((c) => changed.includes(c.id));
      const page = action.page.conversations.filter((c) => !removed.includes(c.id));
      return {
        conversations: merge(page, kept),
        nextCursor: action.page.nextCursor,
        status: 'ready',
      };
    }
    case 'failed':
      return { ...state, status: 'error', error: action.error };
    case 'upserted':
      return {
        ...noted(state, 'changed', action.conversation.id),
        conversations: merge(state.conversations, [action.conversation], true),
      };
    case 'touched': {
      const known = state.conversations.find((c) => c.id === action.id);
      if (!known) return state;
      const touched = { ...known, updatedAt: Math.max(known.updatedAt, action.at) };
      return {
        ...noted(state, 'changed', action.id),
        conversations: merge(state.conversations, [touched]),
      };
    }
    case 'removed':
      return {
        ...noted(state, 'removed', action.id),
        conversations: state.conversations.filter((c) => c.id !== action.id),
      };
    case 'reset':
      return initialHistory;
  }
}

/** Whether "Load more" has anything to load. */
export function hasMore(state: HistoryState): boolean {
  return state.nextCursor !== undefined;
}
