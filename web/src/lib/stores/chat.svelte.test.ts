import { FunctionsError } from 'firebase/functions';
import { describe, expect, it, vi } from 'vitest';
import type { ChatCallData, StreamCall } from '../chat-stream.ts';
import { chatWith, tokens, wordsCall } from './chat-fakes.ts';

describe('ChatStore', () => {
  it('when a message is sent, then the answer streams into one assistant message that ends done', async () => {
    const call = vi.fn(wordsCall(['Hello ', 'there']));
    const chat = chatWith(call);

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

  it('when a default system prompt is set, then a new chat takes it; one being used keeps its own', async () => {
    const chat = chatWith(vi.fn(wordsCall(['ok'])));
    chat.useDefaultSystemPrompt('Be brief.');
    expect(chat.systemPrompt).toBe('Be brief.');
    chat.send('Hi');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    chat.useDefaultSystemPrompt('Be kind.');
    expect(chat.systemPrompt).toBe('Be brief.');
    chat.startNew();
    expect(chat.systemPrompt).toBe('Be kind.');
    chat.systemPrompt = 'My own.';
    chat.useDefaultSystemPrompt('');
    expect(chat.systemPrompt).toBe('My own.');
    chat.startNew();
    expect(chat.systemPrompt).toBe('');
  });

  it('when nothing is typed or an answer is running, then nothing is sent', async () => {
    const chat = chatWith(wordsCall(['a'], { holdAfter: 0 }));
    expect(chat.send('   ')).toBe(false);
    expect(chat.send('one')).toBe(true);
    expect(chat.send('two')).toBe(false);
    chat.stop();
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
  });

  it('when stopped mid-answer, then the text so far stays and the message is marked stopped', async () => {
    const chat = chatWith(wordsCall(['Par', 'tial', ' never'], { holdAfter: 2 }));

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
    const chat = chatWith(call, { token });

    chat.send('Hi');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    expect(token.refresh).toHaveBeenCalledTimes(1);
    expect(chat.messages[1]).toMatchObject({ content: 'Hello', status: 'done' });
  });

  it('when the call fails before any answer, then the message goes back into the composer', async () => {
    const call: StreamCall = async () => {
      throw new FunctionsError('invalid-argument', 'messages.0.content: too long');
    };
    const chat = chatWith(call);
    chat.draft.text = 'Hi';

    expect(chat.submit()).toBe(true);
    expect(chat.draft.text).toBe('');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));

    expect(chat.messages).toEqual([]);
    expect(chat.draft.text).toBe('Hi');
    expect(chat.failure).toMatchObject({
      kind: 'rejected',
      error: {
        summary: 'The request was rejected. Change it and try again.',
        // A field path is the machinery's words: kept, folded away with the code.
        technical: 'messages.0.content: too long',
        code: 'functions/invalid-argument',
      },
      retry: { kind: 'send', text: 'Hi' },
    });
  });

  it('when the connection drops mid-answer, then the partial answer stays, marked', async () => {
    const call: StreamCall = async () => ({
      data: Promise.reject(new FunctionsError('internal', 'internal [0]')).catch(() => {
        throw new FunctionsError('internal', 'internal [0]');
      }),
      stream: (async function* () {
        yield { type: 'text-delta', text: 'Half' };
        throw new FunctionsError('internal', 'internal [0]');
      })(),
    });
    const chat = chatWith(call);
    chat.send('Hi');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    expect(chat.messages[1]).toMatchObject({
      content: 'Half',
      status: 'error',
      error: { summary: 'Connection lost.' },
    });
    expect(chat.failure).toBeUndefined();
  });

  it('when an answer fails after the server kept it, then the next message continues that conversation', async () => {
    const failure = new FunctionsError('unavailable', 'openai is not available right now', {
      conversationId: 'c-42',
    });
    const call: StreamCall = async () => ({
      data: Promise.reject(failure).catch(() => {
        throw failure;
      }),
      stream: (async function* () {
        yield { type: 'text-delta', text: 'Half' };
        throw failure;
      })(),
    });
    const onExchange = vi.fn();
    const chat = chatWith(call, { onExchange });
    chat.send('Hi');
    await vi.waitFor(() => expect(chat.streaming).toBe(false));
    expect(chat.conversationId).toBe('c-42');
    expect(onExchange).toHaveBeenCalledWith('c-42', true);
  });

  it('sends the earlier turns with the next message', async () => {
    const call = vi.fn(wordsCall(['Answer']));
    const chat = chatWith(call);

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
