import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '@colonycraft/protocol';
import type { ProviderRequest } from '../provider.js';
import { createLocalProvider, localReply } from './local-provider.js';

const request: ProviderRequest = {
  model: 'echo',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'What is a colony?' },
  ],
};

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('local provider', () => {
  it('when asked, then it streams the deterministic reply word by word and ends with usage and stop', async () => {
    const provider = createLocalProvider({ chunkDelayMs: 0 });
    const events = await collect(
      provider.streamChat(request, {
        signal: new AbortController().signal,
        connectTimeoutMs: 1000,
      }),
    );
    const deltas = events.filter((e) => e.type === 'text-delta');
    expect(deltas.map((e) => e.text).join('')).toBe(localReply(request));
    expect(deltas.length).toBe(11);
    expect(events.at(-2)).toEqual({
      type: 'usage',
      usage: { inputTokens: 6, outputTokens: 11, estimated: false },
    });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('when max tokens is lower than the reply, then it stops there with reason length', async () => {
    const provider = createLocalProvider({ chunkDelayMs: 0 });
    const events = await collect(
      provider.streamChat(
        { ...request, maxTokens: 3 },
        { signal: new AbortController().signal, connectTimeoutMs: 1000 },
      ),
    );
    expect(
      events
        .filter((e) => e.type === 'text-delta')
        .map((e) => e.text)
        .join(''),
    ).toBe("Hello from ColonyCraft's ");
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'length' });
  });

  it('when the caller aborts mid-stream, then it stops sending and finishes as cancelled', async () => {
    const provider = createLocalProvider({ chunkDelayMs: 5 });
    const controller = new AbortController();
    const events: StreamEvent[] = [];
    for await (const event of provider.streamChat(request, {
      signal: controller.signal,
      connectTimeoutMs: 1000,
    })) {
      events.push(event);
      if (events.length === 2) controller.abort();
    }
    expect(events.filter((e) => e.type === 'text-delta')).toHaveLength(2);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'cancelled' });
  });
});
