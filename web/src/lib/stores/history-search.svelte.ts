// History search's state: what the person typed, the conversations that match (asked of the
// server a moment after typing stops), page after page, and what went wrong. While a query is
// set the sidebar shows these results instead of the date groups. Timers and the API are
// injected, so tests run it without a server or waiting.
import type { HighlightedText, SearchResult } from '@colonycraft/protocol';
import { describeError, type UserError } from '../errors.ts';
import type { GatewayApi } from '../gateway-api.ts';
import { gateway } from './gateway.ts';

export type SearchApi = Pick<GatewayApi, 'searchConversations'>;

export type SearchStatus = 'idle' | 'searching' | 'loading-more' | 'ready' | 'error';

/** How long typing must pause before the server is asked. */
export const SEARCH_DEBOUNCE_MS = 250;
/**
 * Calls one search (or "Load more") makes at most while pages come back with nothing new: a
 * call reads a bounded stretch of the index, so a rare word in an old conversation may take
 * several, but never unboundedly many for one keystroke.
 */
export const SEARCH_CALLS_MAX = 4;

export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Segment {
  text: string;
  marked: boolean;
}

/** A highlighted text as plain pieces, marked or not, to render as text (never as HTML). */
export function segmentsOf({ text, highlights }: HighlightedText): Segment[] {
  const segments: Segment[] = [];
  let at = 0;
  for (const { start, end } of [...highlights].sort((a, b) => a.start - b.start)) {
    const from = Math.max(start, at);
    const to = Math.min(end, text.length);
    if (to <= from) continue;
    if (from > at) segments.push({ text: text.slice(at, from), marked: false });
    segments.push({ text: text.slice(from, to), marked: true });
    at = to;
  }
  if (at < text.length) segments.push({ text: text.slice(at), marked: false });
  return segments;
}

export class HistorySearchStore {
  /** What is in the search field. */
  query = $state('');
  results = $state.raw<SearchResult[]>([]);
  status = $state<SearchStatus>('idle');
  error = $state.raw<UserError>();
  nextCursor = $state<string>();
  #api: SearchApi;
  #timers: Timers;
  #timer: unknown;
  /** Bumped by every new query and by clear, so a late answer to an old one is dropped. */
  #generation = 0;

  constructor(api: SearchApi, timers: Timers = realTimers) {
    this.#api = api;
    this.#timers = timers;
  }

  /** A query is set: the sidebar shows results rather than the date groups. */
  get active(): boolean {
    return this.query.trim().length > 0;
  }

  get hasMore(): boolean {
    return this.nextCursor !== undefined;
  }

  /** The field changed: search once typing pauses; an emptied field clears at once. */
  type(query: string): void {
    this.query = query;
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#generation += 1;
    if (!this.active) {
      this.#settle([], undefined, 'idle');
      return;
    }
    this.status = 'searching';
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      void this.search();
    }, SEARCH_DEBOUNCE_MS);
  }

  /** Searches for the current query now (Enter, or the debounce ending). */
  async search(): Promise<void> {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
    if (!this.active) return;
    this.#generation += 1;
    this.results = [];
    this.nextCursor = undefined;
    await this.#fetch(undefined, 'searching');
  }

  async loadMore(): Promise<void> {
    if (!this.hasMore || this.status === 'searching' || this.status === 'loading-more') return;
    await this.#fetch(this.nextCursor, 'loading-more');
  }

  /** Escape or the clear button: back to the date groups. */
  clear(): void {
    this.type('');
  }

  /**
   * Fetches from `cursor`, and on while pages bring nothing new (a conversation found on an
   * earlier page is not listed twice), up to SEARCH_CALLS_MAX calls.
   */
  async #fetch(cursor: string | undefined, status: SearchStatus): Promise<void> {
    const generation = this.#generation;
    const query = this.query.trim();
    this.status = status;
    this.error = undefined;
    let results = this.results;
    try {
      for (let calls = 0; calls < SEARCH_CALLS_MAX; calls += 1) {
        const page = await this.#api.searchConversations(query, cursor);
        if (generation !== this.#generation) return;
        const known = results.map((r) => r.conversationId);
        const fresh = page.results.filter((r) => !known.includes(r.conversationId));
        results = [...results, ...fresh];
        cursor = page.nextCursor;
        if (fresh.length > 0 || cursor === undefined) break;
      }
      this.#settle(results, cursor, 'ready');
    } catch (error) {
      if (generation !== this.#generation) return;
      this.status = 'error';
      this.error = describeError(error);
    }
  }

  #settle(results: SearchResult[], cursor: string | undefined, status: SearchStatus): void {
    this.results = results;
    this.nextCursor = cursor;
    this.status = status;
    this.error = undefined;
  }

  /** Signing out: nothing of the last person's search stays. */
  reset(): void {
    this.clear();
  }
}

export const historySearch = new HistorySearchStore(gateway);
