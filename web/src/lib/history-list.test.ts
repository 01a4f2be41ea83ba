import type { Conversation } from '@colonycraft/protocol';
import { describe, expect, it } from 'vitest';
import { hasMore, initialHistory, reduceHistory, type HistoryAction } from './history-list.ts';

const conversation = (id: string, updatedAt: number, title = id): Conversation => ({
  id,
  title,
  createdAt: 1,
  updatedAt,
  messageCount: 2,
});

const run = (...actions: HistoryAction[]) => actions.reduce(reduceHistory, initialHistory);
const ids = (state: ReturnType<typeof run>) => state.conversations.map((c) => c.id);

describe('reduceHistory paging', () => {
  it('when the first page arrives, then it is listed with its cursor and Load more is offered', () => {
    const state = run(
      { type: 'loading', more: false },
      {
        type: 'loaded',
        more: false,
        page: { conversations: [conversation('b', 20), conversation('a', 10)], nextCursor: 'c1' },
      },
    );
    expect(ids(state)).toEqual(['b', 'a']);
    expect(state).toMatchObject({ status: 'ready', nextCursor: 'c1' });
    expect(hasMore(state)).toBe(true);
  });

  it('when the next page arrives, then it is appended and the last page ends the paging', () => {
    const state = run(
      {
        type: 'loaded',
        more: false,
        page: { conversations: [conversation('c', 30), conversation('b', 20)], nextCursor: 'c1' },
      },
      { type: 'loading', more: true },
      { type: 'loaded', more: true, page: { conversations: [conversation('a', 10)] } },
    );
    expect(ids(state)).toEqual(['c', 'b', 'a']);
    expect(hasMore(state)).toBe(false);
  });

  it('when a conversation moved up between pages shows up again, then it is listed once', () => {
    const state = run(
      {
        type: 'loaded',
        more: false,
        page: { conversations: [conversation('x', 50), conversation('b', 20)], nextCursor: 'c1' },
      },
      {
        type: 'loaded',
        more: true,
        page: { conversations: [conversation('x', 15), conversation('a', 10)] },
      },
    );
    expect(ids(state)).toEqual(['x', 'b', 'a']);
    expect(state.conversations[0]!.updatedAt).toBe(50);
  });

  it('when the first page is loaded again, then it replaces the list', () => {
    const state = run(
      {
        type: 'loaded',
        more: false,
        page: { conversations: [conversation('b', 20)], nextCursor: 'c1' },
      },
      { type: 'loaded', more: true, page: { conversations: [conversation('a', 10)] } },
      { type: 'loaded', more: false, page: { conversations: [conversation('c', 30)] } },
    );
    expect(ids(state)).toEqual(['c']);
  });

  it('when the first page arrives after a conversation started here, then both are listed', () => {
    const state = run(
      { type: 'loading', more: false },
      { type: 'upserted', conversation: conversation('new', 99) },
      { type: 'touched', id: 'new', at: 120 },
      // The server's list from before the new conversation.
      { type: 'loaded', more: false, page: { conversations: [conversation('old', 10)] } },
    );
    expect(ids(state)).toEqual(['new', 'old']);
    expect(state.conversations[0]!.updatedAt).toBe(120);
  });

  it('when the first page arrives after a conversation was deleted here, then it stays gone', () => {
    const state = run(
      { type: 'loaded', more: false, page: { conversations: [conversation('a', 10)] } },
      { type: 'loading', more: false },
      { type: 'removed', id: 'a' },
      { type: 'loaded', more: false, page: { conversations: [conversation('a', 10)] } },
    );
    expect(ids(state)).toEqual([]);
  });

  it('when loading fails, then the list stays and the error is kept', () => {
    const error = { summary: 'Could not reach the server.' };
    const state = run(
      {
        type: 'loaded',
        more: false,
        page: { conversations: [conversation('a', 10)], nextCursor: 'c1' },
      },
      { type: 'loading', more: true },
      { type: 'failed', error },
    );
    expect(ids(state)).toEqual(['a']);
    expect(state).toMatchObject({ status: 'error', error, nextCursor: 'c1' });
  });
});

describe('reduceHistory local changes', () => {
  const loaded: HistoryAction = {
    type: 'loaded',
    more: false,
    page: { conversations: [conversation('b', 20), conversation('a', 10)] },
  };

  it('when a new conversation is upserted, then it goes to the top', () => {
    expect(ids(run(loaded, { type: 'upserted', conversation: conversation('n', 99) }))).toEqual([
      'n',
      'b',
      'a',
    ]);
  });

  it('when a rename is upserted, then the title changes and the order does not', () => {
    const state = run(loaded, { type: 'upserted', conversation: conversation('a', 10, 'Renamed') });
    expect(state.conversations.map((c) => [c.id, c.title])).toEqual([
      ['b', 'b'],
      ['a', 'Renamed'],
    ]);
  });

  it('when the server returns a conversation, then its copy wins even over a later local one', () => {
    const state = run(
      loaded,
      { type: 'touched', id: 'a', at: 99 },
      { type: 'upserted', conversation: conversation('a', 40, 'Renamed') },
    );
    expect(state.conversations[0]).toMatchObject({ id: 'a', title: 'Renamed', updatedAt: 40 });
  });

  it('when a conversation is continued, then it moves to the top; an unknown id changes nothing', () => {
    expect(ids(run(loaded, { type: 'touched', id: 'a', at: 30 }))).toEqual(['a', 'b']);
    const before = run(loaded);
    expect(reduceHistory(before, { type: 'touched', id: 'zz', at: 30 })).toBe(before);
  });

  it('when a conversation is deleted, then it leaves the list; reset empties it', () => {
    expect(ids(run(loaded, { type: 'removed', id: 'b' }))).toEqual(['a']);
    expect(run(loaded, { type: 'reset' })).toEqual(initialHistory);
  });
});
