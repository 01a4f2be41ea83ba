// Retries, fallbacks and timeouts, driven by scripted providers that keep the Provider
// contract. The same paths run against the real SDKs and the stub in the gateway's
// integration tests; here each decision is isolated and exact.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StreamEvent } from '@colonycraft/protocol';
import { ProviderError, type Provider, type ProviderCallOptions } from '../providers/provider.js';
import { executeChat, type Target } from './execute.js';
import type { CallPolicy } from './policy.js';

type Step = { fail: ProviderError } | { events: StreamEvent[]; delayMs?: number } | { hang: true };

const policy: CallPolicy = {
  connectTimeoutMs: 1_000,
  firstTokenTimeoutMs: 1_000,
  totalTimeoutMs: 10_000,
  storeTimeoutMs: 1_000,
  maxRetries: 2,
  retryBaseMs: 100,
  retryMaxMs: 1_000,
  maxRetryAfterMs: 5_000,
  maxBodyBytes: 1_000_000,
  maxInputChars: 10_000,
  maxImages: 20,
  maxImageBytes: 5_000_000,
  maxEmbeddingInputs: 2048,
  defaultMaxTokens: 4096,
};

const answer = (text: string): StreamEvent[] => [
  { type: 'text-delta', text },
  { type: 'usage', usage: { inputTokens: 1, outputTokens: 1, estimated: false } },
  { type: 'finish', reason: 'stop' },
];

function scripted(id: string, steps: Step[]): Provider & { calls: number } {
  const provider = {
    specificationVersion: 'v1' as const,
    id,
    models: [],
    calls: 0,
    async *streamChat(
      _request: unknown,
      { signal }: ProviderCallOptions,
    ): AsyncGenerator<StreamEvent> {
      const step = steps[provider.calls++];
      if (!step) throw new Error(`${id} called more often than scripted`);
      if ('fail' in step) throw step.fail;
      if ('hang' in step) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        yield { type: 'usage', usage: { inputTokens: 1, outputTokens: 0, estimated: true } };
        yield { type: 'finish', reason: 'cancelled' };
        return;
      }
      for (const event of step.events) {
        if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
        if (signal.aborted) {
          yield { type: 'usage', usage: { inputTokens: 1, outputTokens: 0, estimated: true } };
          yield { type: 'finish', reason: 'cancelled' };
          return;
        }
        yield event;
      }
    },
  };
  return provider;
}

const target = (provider: string, model = 'm'): Target => ({
  id: `${provider}/${model}`,
  provider,
  model,
  info: {
    id: `${provider}/${model}`,
    displayName: model,
    contextWindow: 1000,
    inputPrice: 0,
    outputPrice: 0,
    capabilities: [],
  },
});

async function run(
  providers: Provider[],
  options: { policy?: Partial<CallPolicy>; signal?: AbortSignal; abortAfter?: number } = {},
) {
  const slept: number[] = [];
  const routes: string[] = [];
  const events: StreamEvent[] = [];
  const controller = new AbortController();
  let error: unknown;
  try {
    for await (const event of executeChat(
      providers.map((p) => target(p.id)),
      { messages: [{ role: 'user', content: 'hi' }] },
      {
        policy: { ...policy, ...options.policy },
        signal: options.signal ?? controller.signal,
        onRoute: (t, attempt) => routes.push(`${t.id}#${attempt}`),
      },
      {
        loadProvider: async (id) => providers.find((p) => p.id === id)!,
        sleep: async (ms) => void slept.push(ms),
        random: () => 0.5,
      },
    )) {
      events.push(event);
      if (options.abortAfter === events.length) controller.abort();
    }
  } catch (e) {
    error = e;
  }
  return { events, slept, routes, error };
}

const unavailable = (retryAfterMs?: number) =>
  new ProviderError('a', 'a answered 503', { status: 503, retryAfterMs });

describe('executeChat', () => {
  it('when the first attempt gets a 503, then it backs off with jitter and the retry answers', async () => {
    const a = scripted('a', [{ fail: unavailable() }, { events: answer('ok') }]);
    const { events, slept, routes } = await run([a]);
    expect(events.map((e) => e.type)).toEqual(['text-delta', 'usage', 'finish']);
    expect(slept).toEqual([50]); // base 100 ms × 2^0 × jitter 0.5
    expect(routes).toEqual(['a/m#1']);
  });

  it('when the provider says retry-after, then exactly that long is waited', async () => {
    const a = scripted('a', [
      { fail: unavailable(1_500) },
      { fail: unavailable(700) },
      { events: answer('ok') },
    ]);
    const { slept } = await run([a]);
    expect(slept).toEqual([1_500, 700]);
  });

  it('when retry-after is longer than the policy allows, then the next target is tried at once', async () => {
    const a = scripted('a', [{ fail: unavailable(60_000) }]);
    const b = scripted('b', [{ events: answer('from b') }]);
    const { events, slept, routes } = await run([a, b]);
    expect(slept).toEqual([]);
    expect(routes).toEqual(['b/m#0']);
    expect(events[0]).toEqual({ type: 'text-delta', text: 'from b' });
  });

  it('when a target keeps failing, then it gets maxRetries more tries and the fallback answers', async () => {
    const a = scripted('a', [
      { fail: unavailable() },
      { fail: unavailable() },
      { fail: unavailable() },
    ]);
    const b = scripted('b', [{ events: answer('from b') }]);
    const { routes, slept } = await run([a, b]);
    expect(a.calls).toBe(3);
    expect(slept).toEqual([50, 100]);
    expect(routes).toEqual(['b/m#0']);
  });

  it('when the provider refuses the request with a 400, then nothing is retried and the error is thrown', async () => {
    const bad = new ProviderError('a', 'a answered 400: max_tokens is too large', { status: 400 });
    const a = scripted('a', [{ fail: bad }]);
    const b = scripted('b', [{ events: answer('never') }]);
    const { error } = await run([a, b]);
    expect(error).toBe(bad);
    expect(a.calls).toBe(1);
    expect(b.calls).toBe(0);
  });

  it('when every target fails, then the last error is thrown', async () => {
    const a = scripted('a', [{ fail: unavailable() }]);
    const { error } = await run([a], { policy: { maxRetries: 0 } });
    expect(error).toMatchObject({ status: 503 });
  });

  it('when no first event comes within the first-token timeout, then the attempt counts as a timeout and is retried', async () => {
    const a = scripted('a', [{ hang: true }, { events: answer('late but fine') }]);
    const { events, routes } = await run([a], { policy: { firstTokenTimeoutMs: 30 } });
    expect(routes).toEqual(['a/m#1']);
    expect(events[0]).toEqual({ type: 'text-delta', text: 'late but fine' });
  });

  it('when the only target times out every time, then a timeout error is thrown', async () => {
    const a = scripted('a', [{ hang: true }]);
    const { error } = await run([a], { policy: { firstTokenTimeoutMs: 20, maxRetries: 0 } });
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'timeout', isRetryable: true });
  });

  it('when the stream fails after the first byte, then the error event reaches the client and nothing is retried', async () => {
    const broken: StreamEvent[] = [
      { type: 'text-delta', text: 'Hel' },
      { type: 'error', code: 'stream-cut', message: 'a cut the stream', retryable: true },
    ];
    const a = scripted('a', [{ events: broken }, { events: answer('never') }]);
    const { events } = await run([a]);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'stream-cut' });
    expect(a.calls).toBe(1);
  });

  it('when the total time runs out mid-answer, then the client gets usage and a timeout error, not a finish', async () => {
    const a = scripted('a', [{ events: answer('x').flatMap((e) => [e, e]), delayMs: 40 }]);
    const { events } = await run([a], { policy: { totalTimeoutMs: 60 } });
    expect(events.some((e) => e.type === 'finish')).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'timeout' });
    expect(events.at(-2)?.type).toBe('usage');
  });

  it('when the client aborts mid-answer, then the stream finishes as cancelled', async () => {
    const a = scripted('a', [{ events: answer('x').flatMap((e) => [e, e]), delayMs: 5 }]);
    const { events } = await run([a], { abortAfter: 1 });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'cancelled' });
  });
});

describe('the total timeout', () => {
  afterEach(() => vi.useRealTimers());

  it('when the total time runs out, then the call is cut; when a call ends, then its timer is gone with it', async () => {
    // Its timer is a plain one: a fake clock runs it, and it is cleared when the call ends.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const slow = { totalTimeoutMs: 300_000, firstTokenTimeoutMs: 600_000 };
    const pending = run([scripted('a', [{ hang: true }])], { policy: slow });
    await vi.advanceTimersByTimeAsync(300_000);
    const { error } = await pending;
    expect(error).toMatchObject({ code: 'timeout' });
    expect(vi.getTimerCount()).toBe(0);

    const { events } = await run([scripted('b', [{ events: answer('hi') }])], { policy: slow });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    // Nothing of the call waits for its 300 s to pass.
    expect(vi.getTimerCount()).toBe(0);
  });
});
