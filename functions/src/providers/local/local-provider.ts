// The built-in `local` provider: answers without any key or network, deterministically, so
// `npm start` works on a machine with nothing configured and tests know the exact reply.
import { imagesOf, textOf, type StreamEvent } from '@colonycraft/protocol';
import type { ModelInfo, Provider, ProviderCallOptions, ProviderRequest } from '../provider.js';
import { imageSize } from './image-size.js';

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
  {
    id: 'local/vision-echo',
    displayName: 'Local vision echo (no provider key needed)',
    contextWindow: 8192,
    inputPrice: 0,
    outputPrice: 0,
    // It says what images the question carried: their type and size, read from their headers.
    capabilities: ['vision'],
  },
];

/** `1 image (PNG, 64×48)`: what the question's images are, as far as their headers say. */
function describeImages(question: ProviderRequest['messages'][number]): string {
  const images = imagesOf(question);
  const each = images.map(({ source }) => {
    if (source.type === 'url') return 'an address';
    const type = source.mediaType.slice('image/'.length).toUpperCase();
    const size = imageSize(Buffer.from(source.data, 'base64'));
    return size ? `${type}, ${size.width}×${size.height}` : type;
  });
  return `${images.length} image${images.length === 1 ? '' : 's'} (${each.join('; ')})`;
}

export function localReply(request: Pick<ProviderRequest, 'messages' | 'model'>): string {
  const question = request.messages.findLast((m) => m.role === 'user');
  const lastUser = question ? textOf(question) : '';
  const sent =
    request.model === 'vision-echo' && question && imagesOf(question).length > 0
      ? ` You sent ${describeImages(question)}.`
      : '';
  return `Hello from ColonyCraft's local model. You said: ${lastUser}${sent}`;
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
