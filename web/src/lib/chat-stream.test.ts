import type { ChatResult, ChatChunk } from '@colonycraft/protocol';
import { FunctionsError } from 'firebase/functions';
import { describe, expect, it, vi } from 'vitest';
import { streamChat, type ChatCallData, type StreamCall } from './chat-stream.ts';

const request: ChatCallData = {
  clientToken: 'token',
  model: 'local/echo',
  messages: [{ role: 'user', content: 'hi' }],
};

const result: ChatResult = {
  model: 'local/echo',
  text: 'Hello',
  finishReason: 'stop',
  usage: { inputTokens: 1, outputTokens: 1, estimated: false },
};

function fakeCall(chunks: unknown[], final: Promise<unknown>, failAfter?: unknown): StreamCall {
  return async () => ({
    data: final,
    stream: (async function* () {
      for (const chunk of chunks) yield chunk;
      if (failAfter) throw failAfter;
    })(),
  });
}

describe('streamChat', () => {
  it('hands every chunk to the caller as an event and resolves with the final result', async () => {
    const events: ChatChunk[] = [];
    const call = vi.fn(
      fakeCall(
        [
          { type: 'text-delta', text: 'Hel' },
          { type: 'text-delta', text: 'lo' },
          { type: 'finish', reason: 'stop' },
        ],
        Promise.resolve(result),
      ),
    );
    const signal = new AbortController().signal;

    const final = await streamChat(call, request, { signal, onEvent: (e) => events.push(e) });

    expect(call).toHaveBeenCalledWith(request, { signal });
    expect(events.map((e) => e.type)).toEqual(['text-delta', 'text-delta', 'finish']);
    expect(final).toEqual(result);
  });

  it('when a chunk is malformed, then the caller gets an error event instead of a crash', async () => {
    const events: ChatChunk[] = [];
    await streamChat(fakeCall([{ type: 'nonsense' }], Promise.resolve(result)), request, {
      signal: new AbortController().signal,
      onEvent: (e) => events.push(e),
    });
    expect(events[0]).toMatchObject({ type: 'error', code: 'invalid-chunk' });
  });

  it('when the call fails mid-stream, then it rejects with the SDK error and no unhandled rejection', async () => {
    const failure = new FunctionsError('unavailable', 'The provider is down');
    const final = Promise.reject(failure);
    const call = fakeCall([{ type: 'text-delta', text: 'a' }], final, failure);

    await expect(
      streamChat(call, request, { signal: new AbortController().signal, onEvent: () => undefined }),
    ).rejects.toMatchObject({ code: 'functions/unavailable', message: 'The provider is down' });
  });

  it('when the final result is not a ChatResult, then it resolves undefined', async () => {
    const final = await streamChat(fakeCall([], Promise.resolve({ odd: true })), request, {
      signal: new AbortController().signal,
      onEvent: () => undefined,
    });
    expect(final).toBeUndefined();
  });
});
