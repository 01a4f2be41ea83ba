import type { GetConversationResponse } from '@colonycraft/protocol';
import { FunctionsError } from 'firebase/functions';
import { describe, expect, it, vi } from 'vitest';
import type { ChatCallData } from '../chat-stream.ts';
import { memoryStore } from '../storage.ts';
import { chatWith, failingCall, tokens, wordsCall } from './chat-fakes.ts';
import { ChatStore } from './chat.svelte.ts';
import { Draft } from './draft.svelte.ts';

const sent = (call: ReturnType<typeof vi.fn>, index: number) =>
  call.mock.calls[index]?.[0] as ChatCallData;

describe('ChatStore conversations', () => {
  it('when a new chat gets its first answer, then it adopts the conversation and reports it new', async () => {
    const onExchange = vi.fn();
    const call = vi.fn(wordsCall(['Hi'], { conversationId: 'c1' }));
    const chat = chatWith(call, { onExchange });

    chat.send('one');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    expect(chat.conversationId).toBe('c1');
    expect(onExchange).toHaveBeenLastCalledWith('c1', true);

    chat.send('two');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    expect(sent(call, 1).conversationId).toBe('c1');
    // It follows the first answer, under the id the server said it keeps it.
    expect(sent(call, 1).parentId).toBe(chat.messages[1]!.id);
    expect(chat.messages[1]!.id).toMatch(/^a\d+$/);
    expect(onExchange).toHaveBeenLastCalledWith('c1', false);
  });

  it('when the first answer is stopped, then the next message continues its conversation', async () => {
    const call = vi.fn(wordsCall(['a', 'b', 'c'], { holdAfter: 1, conversationId: 'c7' }));
    const chat = chatWith(call);
    chat.send('first');
    await vi.waitFor(() => expect(chat.messages[1]?.content).toBe('a'));
    chat.stop();
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    expect(chat.conversationId).toBe('c7');

    const stopped = chat.messages[1]!.id;
    expect(stopped).toMatch(/^a\d+$/);
    chat.send('second');
    await vi.waitFor(() => expect(call).toHaveBeenCalledTimes(2));
    expect(sent(call, 1)).toMatchObject({ conversationId: 'c7', parentId: stopped });
    chat.stop();
  });

  it('when an answer is regenerated or a question edited, then the old versions stay and can be shown again', async () => {
    const call = vi.fn(wordsCall(['A'], { conversationId: 'c1' }));
    const selectBranch = vi.fn(async () => ({}));
    const chat = chatWith(call, { selectBranch });
    for (const text of ['one', 'two', 'three']) {
      chat.send(text);
      await vi.waitFor(() => expect(chat.streaming).toBe(false));
    }
    expect(sent(call, 0).parentId).toBeUndefined();
    const [, firstAnswer, two, secondAnswer] = chat.messages;

    // Regenerate the answer to "two", not the last one: its question is not sent again.
    chat.regenerate(secondAnswer!.id);
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    expect(sent(call, 3)).toMatchObject({
      conversationId: 'c1',
      regenerates: two!.id,
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'A' },
        { role: 'user', content: 'two' },
      ],
    });
    expect(chat.messages.map((m) => m.content)).toEqual(['one', 'A', 'two', 'A']);
    expect(chat.versions(chat.messages[3]!)).toEqual({ index: 1, count: 2 });

    chat.editAndResend(two!.id, 'two, edited');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    expect(sent(call, 4)).toMatchObject({ conversationId: 'c1', parentId: firstAnswer!.id });
    expect(chat.messages.map((m) => m.content)).toEqual(['one', 'A', 'two, edited', 'A']);
    expect(chat.versions(chat.messages[2]!)).toEqual({ index: 1, count: 2 });

    // Back to the original "two": its newest answer, and what followed it, are shown again.
    expect(chat.showVersion(chat.messages[2]!, -1)).toBe(true);
    expect(chat.messages.map((m) => m.content)).toEqual(['one', 'A', 'two', 'A']);
    expect(chat.messages[3]!.id).not.toBe(secondAnswer!.id);
    const shown = chat.messages[3]!.id;
    await vi.waitFor(() => expect(selectBranch).toHaveBeenLastCalledWith('c1', shown));
    expect(chat.showVersion(chat.messages[3]!, -1)).toBe(true);
    expect(chat.messages.map((m) => m.content)).toEqual(['one', 'A', 'two', 'A', 'three', 'A']);
    expect(chat.showVersion(chat.messages[3]!, -1)).toBe(false);
  });

  it('when a version is chosen and a message sent at once, then the call waits until the server has the choice', async () => {
    const call = vi.fn(wordsCall(['A'], { conversationId: 'c1' }));
    let saved!: () => void;
    const selectBranch = vi.fn(() => new Promise<void>((resolve) => (saved = resolve)));
    const chat = chatWith(call, { selectBranch });
    chat.send('one');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    chat.regenerate();
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    chat.showVersion(chat.messages[1]!, -1);
    chat.send('two');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(call).toHaveBeenCalledTimes(2);
    saved();
    await vi.waitFor(() => expect(call).toHaveBeenCalledTimes(3));
    expect(sent(call, 2).parentId).toBe(chat.messages[1]!.id);
  });

  it('when a turn is deleted, then the server deletes it first and what followed stays, after the turn before', async () => {
    const call = vi.fn(wordsCall(['A'], { conversationId: 'c1' }));
    const deleteTurn = vi.fn(async (_c: string, questionId: string) => ({
      deleted: [questionId],
      leafId: chat.messages.at(-1)!.id,
    }));
    const chat = chatWith(call, { deleteTurn });
    for (const text of ['one', 'two', 'three']) {
      chat.send(text);
      await vi.waitFor(() => expect(chat.streaming).toBe(false));
    }
    const two = chat.messages[2]!.id;
    expect(await chat.deleteTurn(two)).toBe(true);
    expect(deleteTurn).toHaveBeenCalledWith('c1', two);
    expect(chat.messages.map((m) => m.content)).toEqual(['one', 'A', 'three', 'A']);
    expect(chat.messages[2]!.parentId).toBe(chat.messages[1]!.id);

    // The server refuses: nothing changes here, and the chat says why.
    deleteTurn.mockRejectedValueOnce(new FunctionsError('unavailable', 'Firestore is down'));
    expect(await chat.deleteTurn(chat.messages[2]!.id)).toBe(false);
    expect(chat.messages.map((m) => m.content)).toEqual(['one', 'A', 'three', 'A']);
    expect(chat.actionError).toBeDefined();
    // An answer is no turn.
    expect(await chat.deleteTurn(chat.messages[1]!.id)).toBe(false);
  });

  it('when a stored conversation is opened, then its messages and system prompt are shown', async () => {
    const stored: GetConversationResponse = {
      conversation: {
        id: 'c9',
        title: 'Old',
        createdAt: 1,
        updatedAt: 2,
        messageCount: 2,
        systemPrompt: 'Be brief.',
      },
      alternatives: [],
      messages: [
        { id: 'u', role: 'user', content: 'Q', createdAt: 1 },
        {
          id: 'a',
          role: 'assistant',
          content: 'A',
          createdAt: 1,
          model: 'local/echo',
          usage: { inputTokens: 1, outputTokens: 1, estimated: false },
          costUsd: 0,
          latencyMs: 5,
          finishReason: 'stop',
          complete: true,
        },
      ],
    };
    const load = vi.fn(async () => stored);
    const call = vi.fn(wordsCall(['B']));
    const chat = chatWith(call, { load });

    await chat.open('c9');
    await chat.open('c9');
    expect(load).toHaveBeenCalledTimes(1);
    expect(chat.messages.map((m) => m.content)).toEqual(['Q', 'A']);
    expect(chat.systemPrompt).toBe('Be brief.');

    chat.send('Next');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    expect(sent(call, 0)).toMatchObject({
      conversationId: 'c9',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: 'A' },
        { role: 'user', content: 'Next' },
      ],
    });
  });

  it('when the conversation is gone, then opening it says so', async () => {
    const chat = chatWith(wordsCall([]), {
      load: async () => {
        throw new FunctionsError('not-found', 'conversationId: no such conversation');
      },
    });
    await chat.open('gone');
    expect(chat.openError?.summary).toMatch(/does not exist/);
  });

  it('when a stored conversation is still loading or failed to load, then nothing is sent', async () => {
    // A send would carry the conversation's id with replaceFrom 0: the server would drop every
    // stored message the screen has not shown.
    let fail!: (error: unknown) => void;
    const load = vi.fn(
      () =>
        new Promise<GetConversationResponse>((_resolve, reject) => {
          fail = reject;
        }),
    );
    const call = vi.fn(wordsCall(['A']));
    const chat = chatWith(call, { load });

    const opened = chat.open('c9');
    expect(chat.opening).toBe(true);
    expect(chat.send('Hi')).toBe(false);

    fail(new FunctionsError('unavailable', 'try later'));
    await opened;
    expect(chat.openError).toBeDefined();
    expect(chat.send('Hi')).toBe(false);
    expect(call).not.toHaveBeenCalled();
  });

  it('when a new chat is started mid-answer, then the old answer stops and nothing leaks in', async () => {
    const chat = chatWith(wordsCall(['a', 'b'], { holdAfter: 1, conversationId: 'old' }));
    chat.send('Hi');
    await vi.waitFor(() => expect(chat.messages[1]?.content).toBe('a'));
    chat.startNew();
    expect(chat.streaming).toBe(false);
    expect(chat.messages).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(chat.conversationId).toBeUndefined();
  });

  it('when a new chat is started mid-answer, then History still hears of the conversation; after a sign-out it does not', async () => {
    const onExchange = vi.fn();
    const chat = chatWith(wordsCall(['a', 'b'], { holdAfter: 1, conversationId: 'old' }), {
      onExchange,
    });
    chat.send('Hi');
    await vi.waitFor(() => expect(chat.messages[1]?.content).toBe('a'));
    chat.startNew();
    // Same user: the server stored the conversation, so it belongs in History.
    await vi.waitFor(() => expect(onExchange).toHaveBeenCalledWith('old', true));

    chat.send('Hi again');
    await vi.waitFor(() => expect(chat.messages[1]?.content).toBe('a'));
    chat.reset();
    // The fakes use no timers: one macrotask lets the stopped turn run to its end.
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Nobody is signed in: History, just reset, must not load again and fail for the next user.
    expect(onExchange).toHaveBeenCalledTimes(1);
  });
});

describe('ChatStore actions', () => {
  it('switching the model mid-conversation sends the next message to the new model’s callable', async () => {
    let model = 'local/echo';
    const factory = vi.fn((_model: string) => wordsCall(['ok']));
    const chat = new ChatStore({ call: factory, token: tokens(), model: () => model });

    chat.send('one');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    model = 'smart';
    chat.send('two');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    expect(factory.mock.calls.map(([m]) => m)).toEqual(['local/echo', 'smart']);
  });

  it('regenerate replaces the last answer with a new one for the same question', async () => {
    const call = vi.fn(wordsCall(['Answer']));
    const chat = chatWith(call);
    chat.send('Q');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    expect(chat.regenerate()).toBe(true);
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    expect(chat.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(sent(call, 1).messages).toEqual([{ role: 'user', content: 'Q' }]);
  });

  it('edit and resend drops everything after the edited message and sends the new text', async () => {
    const call = vi.fn(wordsCall(['A']));
    const chat = chatWith(call);
    chat.send('first');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    chat.send('second');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    const firstId = chat.messages[0]!.id;
    expect(chat.editAndResend(firstId, 'first, edited')).toBe(true);
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    expect(chat.messages.map((m) => m.content)).toEqual(['first, edited', 'A']);
    expect(sent(call, 2).messages).toEqual([{ role: 'user', content: 'first, edited' }]);
    expect(chat.editAndResend('nope', 'x')).toBe(false);
  });

  it('when a failed send is retried, then the kept text is sent and the composer emptied', async () => {
    const flaky = failingCall(['Back']);
    const chat = chatWith(flaky.call);
    chat.draft.text = 'Hello?';
    chat.submit();
    await vi.waitFor(() => expect(chat.failure?.kind).toBe('connection'));
    expect(chat.draft.text).toBe('Hello?');

    flaky.failing = false;
    expect(chat.retry()).toBe(true);
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    expect(chat.failure).toBeUndefined();
    expect(chat.draft.text).toBe('');
    expect(chat.messages.map((m) => m.content)).toEqual(['Hello?', 'Back']);
  });

  it('when an edited message fails while the composer holds other text, then both are kept, and a retry takes back only the failed text', async () => {
    const flaky = failingCall(['A'], new FunctionsError('invalid-argument', 'too long'));
    flaky.failing = false;
    const chat = chatWith(flaky.call);
    chat.send('first');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    chat.draft.text = 'Half a thought';
    flaky.failing = true;
    chat.editAndResend(chat.messages[0]!.id, 'first, edited');
    await vi.waitFor(() => expect(chat.failure?.kind).toBe('rejected'));
    // The edit left the screen with the failed call, which shows the original again; the
    // composer is the only place the edit lives.
    expect(chat.messages.map((m) => m.content)).toEqual(['first', 'A']);
    expect(chat.draft.text).toBe('first, edited\n\nHalf a thought');

    flaky.failing = false;
    expect(chat.retry()).toBe(true);
    expect(chat.draft.text).toBe('Half a thought');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    // The retry is still the edit: beside the original, not after it.
    expect(chat.messages.map((m) => m.content)).toEqual(['first, edited', 'A']);
    expect(chat.versions(chat.messages[0]!)).toEqual({ index: 1, count: 2 });
  });

  it('when the restored text was changed before a retry, then the retry leaves the composer alone', async () => {
    const flaky = failingCall(['A']);
    const chat = chatWith(flaky.call);
    chat.draft.text = 'Hello?';
    chat.submit();
    await vi.waitFor(() => expect(chat.failure?.kind).toBe('connection'));
    chat.draft.text = 'Hello? Anyone?';

    flaky.failing = false;
    expect(chat.retry()).toBe(true);
    expect(chat.draft.text).toBe('Hello? Anyone?');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
  });

  it('when no model is chosen, then nothing is sent', () => {
    const chat = new ChatStore({
      call: () => wordsCall([]),
      token: tokens(),
      model: () => undefined,
    });
    expect(chat.send('Hi')).toBe(false);
  });
});

describe('Draft', () => {
  it('keeps each user’s draft in the store and forgets it once emptied', () => {
    const store = memoryStore();
    const draft = new Draft(store);
    draft.useDraftOf('u1');
    draft.text = 'half a thought';
    draft.useDraftOf('u2');
    expect(draft.text).toBe('');
    draft.useDraftOf('u1');
    expect(draft.text).toBe('half a thought');
    draft.text = '';
    expect(store.get('colonycraft.draft.u1')).toBeNull();
    draft.useDraftOf(null);
    draft.text = 'not stored';
    expect(store.get('colonycraft.draft.null')).toBeNull();
  });
});
