import type { SearchConversationsResponse, SearchResult } from '@colonycraft/protocol';
import { FunctionsError } from 'firebase/functions';
import { describe, expect, it, vi } from 'vitest';
import {
  HistorySearchStore,
  SEARCH_CALLS_MAX,
  SEARCH_DEBOUNCE_MS,
  segmentsOf,
  type SearchApi,
  type Timers,
} from './history-search.svelte.ts';

const result = (id: string, title = id): SearchResult => ({
  conversationId: id,
  title: { text: title, highlights: [] },
  updatedAt: 1,
  match: 'title',
});

const page = (ids: string[], nextCursor?: string): SearchConversationsResponse => ({
  results: ids.map((id) => result(id)),
  scanned: ids.length,
  ...(nextCursor ? { nextCursor } : {}),
});

/** Timers run by hand: `fire()` runs what is due, as if the debounce had passed. */
function manualTimers() {
  let pending: { run: () => void; ms: number } | undefined;
  const timers: Timers & { fire(): void; delay(): number | undefined } = {
    set: (run, ms) => (pending = { run, ms }),
    clear: () => (pending = undefined),
    fire: () => {
      const due = pending;
      pending = undefined;
      due?.run();
    },
    delay: () => pending?.ms,
  };
  return timers;
}

const ids = (search: HistorySearchStore) => search.results.map((r) => r.conversationId);

describe('HistorySearchStore', () => {
  it('when typing, then it asks the server once typing pauses, with the last query', async () => {
    const searchConversations = vi.fn(async () => page(['a']));
    const timers = manualTimers();
    const search = new HistorySearchStore({ searchConversations }, timers);
    search.type('co');
    search.type('col ');
    expect(search.active).toBe(true);
    expect(search.status).toBe('searching');
    expect(timers.delay()).toBe(SEARCH_DEBOUNCE_MS);
    expect(searchConversations).not.toHaveBeenCalled();
    timers.fire();
    await vi.waitFor(() => expect(search.status).toBe('ready'));
    expect(searchConversations).toHaveBeenCalledExactlyOnceWith('col', undefined);
    expect(ids(search)).toEqual(['a']);
  });

  it('when an older answer arrives after a newer query, then it is dropped', async () => {
    let release: (value: SearchConversationsResponse) => void = () => {};
    const api: SearchApi = {
      searchConversations: vi.fn((query: string) =>
        query === 'old'
          ? new Promise<SearchConversationsResponse>((resolve) => (release = resolve))
          : Promise.resolve(page(['new'])),
      ),
    };
    const search = new HistorySearchStore(api, manualTimers());
    search.query = 'old';
    const first = search.search();
    search.query = 'new';
    await search.search();
    release(page(['stale']));
    await first;
    expect(ids(search)).toEqual(['new']);
  });

  it('when more pages exist, then Load more appends them, leaving out conversations already listed', async () => {
    const api: SearchApi = {
      searchConversations: vi.fn(async (_query: string, cursor?: string) =>
        cursor ? page(['b', 'c']) : page(['a', 'b'], 'p2'),
      ),
    };
    const search = new HistorySearchStore(api, manualTimers());
    search.query = 'x';
    await search.search();
    expect(search.hasMore).toBe(true);
    await search.loadMore();
    expect(api.searchConversations).toHaveBeenLastCalledWith('x', 'p2');
    expect(ids(search)).toEqual(['a', 'b', 'c']);
    expect(search.hasMore).toBe(false);
  });

  it('when pages bring nothing new, then it goes on by itself, but only so far', async () => {
    const api: SearchApi = {
      searchConversations: vi.fn(async (_query: string, cursor?: string) =>
        page([], `${cursor ?? ''}+`),
      ),
    };
    const search = new HistorySearchStore(api, manualTimers());
    search.query = 'rare';
    await search.search();
    expect(api.searchConversations).toHaveBeenCalledTimes(SEARCH_CALLS_MAX);
    expect(search.results).toEqual([]);
    expect(search.hasMore).toBe(true);
  });

  it('when the field is cleared, then results go at once and no search is pending', async () => {
    const searchConversations = vi.fn(async () => page(['a']));
    const timers = manualTimers();
    const search = new HistorySearchStore({ searchConversations }, timers);
    search.query = 'x';
    await search.search();
    search.type('y');
    search.clear();
    expect(search.active).toBe(false);
    expect(search.results).toEqual([]);
    expect(search.status).toBe('idle');
    expect(timers.delay()).toBeUndefined();
  });

  it('when the server fails, then the error is kept to show with a retry', async () => {
    const search = new HistorySearchStore(
      {
        searchConversations: vi.fn(async () => {
          throw new FunctionsError('unavailable', 'Firestore is unavailable');
        }),
      },
      manualTimers(),
    );
    search.query = 'x';
    await search.search();
    expect(search.status).toBe('error');
    expect(search.error).toBeDefined();
  });
});

describe('segmentsOf', () => {
  it('when text has marks, then it is cut into plain and marked pieces that rejoin to the text', () => {
    const text = 'Ask <b>the</b> colony';
    const segments = segmentsOf({
      text,
      highlights: [
        { start: 15, end: 21 },
        { start: 0, end: 3 },
      ],
    });
    expect(segments).toEqual([
      { text: 'Ask', marked: true },
      { text: ' <b>the</b> ', marked: false },
      { text: 'colony', marked: true },
    ]);
    expect(segments.map((s) => s.text).join('')).toBe(text);
  });

  it('when marks overlap or run past the end, then no text is repeated or lost', () => {
    const segments = segmentsOf({
      text: 'abcdef',
      highlights: [
        { start: 1, end: 4 },
        { start: 2, end: 5 },
        { start: 5, end: 99 },
      ],
    });
    expect(segments.map((s) => s.text).join('')).toBe('abcdef');
  });
});
