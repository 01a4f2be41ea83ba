// Fakes for the chat store's tests: a streaming callable that answers word by word (and can
// hold until stopped), and token sources that never touch a server.
import { FunctionsError } from 'firebase/functions';
import { vi } from 'vitest';
import type { StreamCall } from '../chat-stream.ts';
import { ChatStore, type ChatDeps } from './chat.svelte.ts';

const finalResult = (text: string, conversationId?: string) => ({
  model: 'local/echo',
  text,
  finishReason: 'stop',
  usage: { inputTokens: 1, outputTokens: 2, estimated: false },
  ...(conversationId ? { conversationId } : {}),
});

let stored = 0;

/**
 * A callable that streams `words` and then finishes, unless aborted while waiting in between.
 * A call kept in a conversation (`conversationId`, or the one the request names) first says
 * where, with the ids its messages are kept under (`q…` and `a…`), as the server does.
 */
export function wordsCall(
  words: string[],
  options: { holdAfter?: number; conversationId?: string } = {},
): StreamCall {
  return async (request, { signal }) => {
    let resolveData!: (value: unknown) => void;
    let rejectData!: (error: unknown) => void;
    const data = new Promise<unknown>((resolve, reject) => {
      resolveData = resolve;
      rejectData = reject;
    });
    async function* stream() {
      const conversationId = request.conversationId ?? options.conversationId;
      if (conversationId) {
        stored += 1;
        yield {
          type: 'conversation',
          conversationId,
          ...(request.regenerates ? {} : { questionId: `q${stored}` }),
          answerId: `a${stored}`,
        };
      }
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
      resolveData(finalResult(words.join(''), options.conversationId));
    }
    return { stream: stream(), data };
  };
}

/**
 * A callable that fails with `failure` (a lost connection, unless given) while `failing` is set,
 * and otherwise answers `words`.
 */
export function failingCall(
  words: string[],
  failure = new FunctionsError('internal', 'internal [0]'),
): { call: StreamCall; failing: boolean } {
  const ok = wordsCall(words);
  const fake: { call: StreamCall; failing: boolean } = {
    failing: true,
    call: (data, options) => (fake.failing ? Promise.reject(failure) : ok(data, options)),
  };
  return fake;
}

export const tokens = () => ({
  get: vi.fn(async () => 'token-1'),
  refresh: vi.fn(async () => 'token-2'),
});

/** A chat on `local/echo` whose every call is `call`. */
export function chatWith(call: StreamCall, deps: Partial<ChatDeps> = {}): ChatStore {
  return new ChatStore({ call: () => call, token: tokens(), model: () => 'local/echo', ...deps });
}
