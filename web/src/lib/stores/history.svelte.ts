// The History sidebar's state: the signed-in user's conversations, newest first, page by page,
// kept current as chats start and continue, and renamed or deleted on request.
import { codeOf, describeError, type UserError } from '../errors.ts';
import type { GatewayApi } from '../gateway-api.ts';
import {
  hasMore,
  initialHistory,
  reduceHistory,
  type HistoryAction,
  type HistoryState,
} from '../history-list.ts';
import { gateway } from './gateway.ts';

export type HistoryApi = Pick<
  GatewayApi,
  'listConversations' | 'getConversation' | 'renameConversation' | 'deleteConversation'
>;

export class HistoryStore {
  state = $state.raw<HistoryState>(initialHistory);
  #api: HistoryApi;
  #now: () => number;
  /** Bumped by reset, so answers to a signed-out user's requests are dropped. */
  #generation = 0;

  constructor(api: HistoryApi, now: () => number = Date.now) {
    this.#api = api;
    this.#now = now;
  }

  get conversations() {
    return this.state.conversations;
  }

  get hasMore(): boolean {
    return hasMore(this.state);
  }

  #dispatch(action: HistoryAction): void {
    this.state = reduceHistory(this.state, action);
  }

  /** Loads the first page unless it is loaded or loading. */
  ensureLoaded(): void {
    if (this.state.status === 'idle') void this.loadFirst();
  }

  loadFirst(): Promise<void> {
    return this.#load(false);
  }

  async loadMore(): Promise<void> {
    if (!this.hasMore || this.state.status.startsWith('loading')) return;
    await this.#load(true);
  }

  async #load(more: boolean): Promise<void> {
    const generation = this.#generation;
    const cursor = more ? this.state.nextCursor : undefined;
    this.#dispatch({ type: 'loading', more });
    try {
      const page = await this.#api.listConversations(cursor);
      if (generation === this.#generation) this.#dispatch({ type: 'loaded', page, more });
    } catch (error) {
      if (generation === this.#generation) {
        this.#dispatch({ type: 'failed', error: describeError(error) });
      }
    }
  }

  /**
   * After a chat call: a new conversation is fetched and put on top; a continued one moves to
   * the top. Without an id (a new chat stopped or failed before the server said which) the
   * first page is reloaded, since the server may have stored it anyway.
   */
  async afterExchange(conversationId: string | undefined, created: boolean): Promise<void> {
    if (!conversationId) return this.loadFirst();
    const known = this.state.conversations.some((c) => c.id === conversationId);
    if (known && !created) {
      this.#dispatch({ type: 'touched', id: conversationId, at: this.#now() });
      return;
    }
    const generation = this.#generation;
    try {
      const { conversation } = await this.#api.getConversation(conversationId);
      if (generation === this.#generation) this.#dispatch({ type: 'upserted', conversation });
    } catch {
      // The list catches up on its next load; the chat itself is unaffected.
    }
  }

  /** Renames; resolves with what went wrong, if anything. */
  async rename(conversationId: string, title: string): Promise<UserError | undefined> {
    try {
      const { conversation } = await this.#api.renameConversation(conversationId, title);
      this.#dispatch({ type: 'upserted', conversation });
      return undefined;
    } catch (error) {
      return describeError(error);
    }
  }

  /** Deletes; a conversation already gone counts as deleted. */
  async remove(conversationId: string): Promise<UserError | undefined> {
    try {
      await this.#api.deleteConversation(conversationId);
    } catch (error) {
      if (codeOf(error) !== 'functions/not-found') return describeError(error);
    }
    this.#dispatch({ type: 'removed', id: conversationId });
    return undefined;
  }

  reset(): void {
    this.#generation += 1;
    this.#dispatch({ type: 'reset' });
  }
}

export const history = new HistoryStore(gateway);
