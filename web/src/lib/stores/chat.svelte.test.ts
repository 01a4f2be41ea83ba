import { FunctionsError } from 'firebase/functions';
import { describe, expect, it, vi } from 'vitest';
import type { ChatCallData, StreamCall } from '../chat-stream.ts';
import { ChatStore } from './chat.svelte.ts';

const finalResult = (text: string) => ({
  model: 'local/echo',
  text,
  finishReason: 'stop',
  usage: { inputTokens: 1, outputTokens: 2, estimated: false },
});

/** A callable that streams `words` and then finishes, unless aborted while waiting in between. */
function wordsCall(words: string[], options: { holdAfter?: number } = {}): StreamCall {
  return async (_data, { signal }) => {
    let resolveData!: (value: unknown) => void;
    let rejectData!: (error: unknown) => void;
    const data = new Promise<unknown>((resolve, reject) => {
      resolveData = resolve;
      rejectData = reject;
    });
    async function* stream() {
      for (const [index, text] of words.entries()) {
        if (index === options.holdAfter && !signal.aborted) {
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        }
        if (signal.aborted) {
          const error = new FunctionsError('cancelled', 'Request was cancelled.');
          rejectData(error);
          throw error;
        }
        yield { type: 'text-delta', text };
      }
      yield { type: 'finish', reason: 'stop' };
      resolveData(finalResult(words.join('')));
    }
    return { stream: stream(), data };
  };
}

const tokens = () => ({
  get: vi.fn(async () => 'token-1'),
  refresh: vi.fn(async () => 'token-2'),
});

describe('ChatStore', () => {
  it('when a message is sent, then the answer streams into one assistant message that ends done', async () => {
    const call = vi.fn(wordsCall(['Hello ', 'there']));
    const chat = new ChatStore({ call: () => call, token: tokens() });

    expect(chat.send('  Hi  ')).toBe(true);
    expect(chat.streaming).toBe(true);
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    expect(chat.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Hi'],
      ['assistant', 'Hello there'],
    ]);
    expect(chat.messages[1]).toMatchObject({ status: 'done', usage: { outputTokens: 2 } });
    const data = call.mock.calls[0]?.[0] as ChatCallData;
    expect(data).toEqual({
      clientToken: 'token-1',
      model: 'local/echo',
      messages: [{ role: 'user', content: 'Hi' }],
    });
  });

  it('when nothing is typed or an answer is running, then nothing is sent', async () => {
    const chat = new ChatStore({ call: () => wordsCall(['a'], { holdAfter: 0 }), token: tokens() });
    expect(chat.send('   ')).toBe(false);
    expect(chat.send('one')).toBe(true);
    expect(chat.send('two')).toBe(false);
    chat.stop();
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
  });

  it('when stopped mid-answer, then the text so far stays and the message is marked stopped', async () => {
    const chat = new ChatStore({
      call: () => wordsCall(['Par', 'tial', ' never'], { holdAfter: 2 }),
      token: tokens(),
    });

    chat.send('Hi');
    await vi.waitFor(() => expect(chat.messages[1]?.content).toBe('Partial'));
    chat.stop();
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    expect(chat.messages[1]).toMatchObject({ content: 'Partial', status: 'stopped' });
    expect(chat.messages[1]).not.toHaveProperty('error');
  });

  it('when the token is refused before any output, then it is renewed once and the call retried', async () => {
    const token = tokens();
    const refused = vi.fn<StreamCall>(async () => {
      throw new FunctionsError('unauthenticated', 'The client token has expired.');
    });
    const ok = wordsCall(['Hello']);
    const call = vi.fn<StreamCall>((data, options) =>
      data.clientToken === 'token-1' ? refused(data, options) : ok(data, options),
    );
    const chat = new ChatStore({ call: () => call, token });

    chat.send('Hi');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    expect(token.refresh).toHaveBeenCalledTimes(1);
    expect(chat.messages[1]).toMatchObject({ content: 'Hello', status: 'done' });
  });

  it('when the call fails, then the message shows an actionable error with the server’s words', async () => {
    const call: StreamCall = async () => {
      throw new FunctionsError('invalid-argument', 'messages.0.content: too long');
    };
    const chat = new ChatStore({ call: () => call, token: tokens() });

    chat.send('Hi');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    expect(chat.messages[1]).toMatchObject({
      status: 'error',
      error: {
        summary: 'The request was rejected. Change it and try again.',
        detail: 'messages.0.content: too long',
        code: 'functions/invalid-argument',
      },
    });
  });

  it('sends the earlier turns with the next message', async () => {
    const call = vi.fn(wordsCall(['Answer']));
    const chat = new ChatStore({ call: () => call, token: tokens() });

    chat.send('First');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    chat.send('Second');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    expect((call.mock.calls[1]?.[0] as ChatCallData).messages).toEqual([
      { role: 'user', content: 'First' },
      { role: 'assistant', content: 'Answer' },
      { role: 'user', content: 'Second' },
    ]);
  });
});
