// The built-in `local` provider: answers without any key or network, deterministically, so
// `npm start` works on a machine with nothing configured and tests know the exact reply.
import { textOf, type StreamEvent } from '@colonycraft/protocol';
import type { ModelInfo, Provider, ProviderCallOptions, ProviderRequest } from '../provider.js';

export const LOCAL_MODELS: readonly ModelInfo[] = [
  {
    id: 'local/echo',
    displayName: 'Local echo (no provider key needed)',
    contextWindow: 8192,
    inputPrice: 0,
    outputPrice: 0,
    // It echoes text: a request for tools, images, JSON or reasoning is refused before it.
    capabilities: [],
  },
];

export function localReply(request: Pick<ProviderRequest, 'messages'>): string {
  const question = request.messages.findLast((m) => m.role === 'user');
  const lastUser = question ? textOf(question) : '';
  return `Hello from ColonyCraft's local model. You said: ${lastUser}`;
}

/** Words, each with its following space: the unit the local model streams and counts. */
function words(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

export function countLocalTokens(text: string): number {
  return words(text).length;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

export function createLocalProvider(options: { chunkDelayMs: number }): Provider {
  return {
    specificationVersion: 'v1',
    id: 'local',
    models: LOCAL_MODELS,
    async *streamChat(request: ProviderRequest, { signal }: ProviderCallOptions) {
      let reply = words(localReply(request));
      if (request.maxTokens !== undefined) reply = reply.slice(0, request.maxTokens);
      const truncated = reply.length < countLocalTokens(localReply(request));
      const inputTokens = request.messages.reduce((n, m) => n + countLocalTokens(textOf(m)), 0);
      let sent = 0;
      for (const word of reply) {
        await sleep(options.chunkDelayMs, signal);
        if (signal.aborted) break;
        yield { type: 'text-delta', text: word } satisfies StreamEvent;
        sent += 1;
      }
      yield { type: 'usage', usage: { inputTokens, outputTokens: sent, estimated: false } };
      yield {
        type: 'finish',
        reason: signal.aborted ? 'cancelled' : truncated ? 'length' : 'stop',
      };
    },
  };
}
