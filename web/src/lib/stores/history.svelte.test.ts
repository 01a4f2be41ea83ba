import type { Conversation, ListConversationsResponse } from '@colonycraft/protocol';
import { FunctionsError } from 'firebase/functions';
import { describe, expect, it, vi } from 'vitest';
import { HistoryStore, type HistoryApi } from './history.svelte.ts';

const conversation = (id: string, updatedAt: number, title = id): Conversation => ({
  id,
  title,
  createdAt: 1,
  updatedAt,
  messageCount: 2,
});

function fakeApi(overrides: Partial<HistoryApi> = {}): HistoryApi {
  return {
    listConversations: vi.fn(async (cursor?: string) =>
      cursor
        ? { conversations: [conversation('a', 10)] }
        : { conversations: [conversation('c', 30), conversation('b', 20)], nextCursor: 'p2' },
    ),
    getConversation: vi.fn(async (id: string) => ({
      conversation: conversation(id, 99, 'Fresh'),
      messages: [],
      alternatives: [],
    })),
    renameConversation: vi.fn(async (id: string, title: string) => ({
      conversation: conversation(id, 20, title),
    })),
    deleteConversation: vi.fn(async () => ({ deleted: true as const })),
    ...overrides,
  };
}

const ids = (history: HistoryStore) => history.conversations.map((c) => c.id);

describe('HistoryStore', () => {
  it('loads page after page with the cursor until the last', async () => {
    const api = fakeApi();
    const history = new HistoryStore(api);
    await history.loadFirst();
    expect(history.hasMore).toBe(true);
    await history.loadMore();
    expect(api.listConversations).toHaveBeenLastCalledWith('p2');
    expect(ids(history)).toEqual(['c', 'b', 'a']);
    expect(history.hasMore).toBe(false);
    await history.loadMore();
    expect(api.listConversations).toHaveBeenCalledTimes(2);
  });

  it('after a new chat’s first answer, fetches it and lists it first', async () => {
    const history = new HistoryStore(fakeApi());
    await history.loadFirst();
    await history.afterExchange('n', true);
    expect(history.conversations[0]).toMatchObject({ id: 'n', title: 'Fresh' });
  });

  it('after a continued chat, moves it to the top without a call', async () => {
    const api = fakeApi();
    const history = new HistoryStore(api, () => 1000);
    await history.loadFirst();
    await history.afterExchange('b', false);
    expect(ids(history)).toEqual(['b', 'c']);
    expect(api.getConversation).not.toHaveBeenCalled();
  });

  it('renames and deletes; a conversation already gone counts as deleted', async () => {
    const history = new HistoryStore(
      fakeApi({
        deleteConversation: vi.fn(async () => {
          throw new FunctionsError('not-found', 'no such conversation');
        }),
      }),
    );
    await history.loadFirst();
    expect(await history.rename('b', 'Better')).toBeUndefined();
    expect(history.conversations.find((c) => c.id === 'b')?.title).toBe('Better');
    expect(await history.remove('c')).toBeUndefined();
    expect(ids(history)).toEqual(['b']);
  });

  it('when a rename fails, then the error comes back and the title stays', async () => {
    const history = new HistoryStore(
      fakeApi({
        renameConversation: vi.fn(async () => {
          throw new FunctionsError('invalid-argument', 'title: must not be empty');
        }),
      }),
    );
    await history.loadFirst();
    expect(await history.rename('b', ' ')).toMatchObject({
      summary: 'The request was rejected. Change it and try again.',
      technical: 'title: must not be empty',
    });
    expect(history.conversations.find((c) => c.id === 'b')?.title).toBe('b');
  });

  it('drops a page that arrives after a reset (sign-out)', async () => {
    let release!: () => void;
    const api = fakeApi({
      listConversations: vi.fn(
        () =>
          new Promise<ListConversationsResponse>((resolve) => {
            release = () => resolve({ conversations: [conversation('x', 1)] });
          }),
      ),
    });
    const history = new HistoryStore(api);
    const loading = history.loadFirst();
    history.reset();
    release();
    await loading;
    expect(history.conversations).toEqual([]);
    expect(history.state.status).toBe('idle');
  });
});
