// The OpenAI adapter against the provider stub, through the real openai SDK: text, usage, limits,
// the error contract (thrown before the first event, an error event after) and cancellation.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamEvent } from '@colonycraft/protocol';
import {
  countStubTokens,
  startProviderStub,
  stubReply,
  type ProviderStub,
} from '@colonycraft/testing';
import { ProviderError, type Provider, type ProviderRequest } from '../provider.js';
import { estimateUsage } from '../usage.js';
import { createOpenAIProvider } from './openai-provider.js';

const QUESTION = 'Name three primary colours.';
const SYSTEM = 'You are terse.';
const REPLY = stubReply(QUESTION);
const request: ProviderRequest = {
  model: 'gpt-stub',
  messages: [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: QUESTION },
  ],
};
const exactUsage = {
  inputTokens: countStubTokens(`${SYSTEM}\n${QUESTION}`),
  outputTokens: countStubTokens(REPLY),
  estimated: false,
};

let stub: ProviderStub;
let provider: Provider;

beforeAll(async () => {
  stub = await startProviderStub();
  provider = createOpenAIProvider({ apiKey: 'sk-test', baseURL: stub.openaiBaseURL, models: [] });
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

/** Reads the provider's stream to its end, keeping the events and what it threw, if anything. */
async function run(
  extra: Partial<ProviderRequest> = {},
  options: { signal?: AbortSignal; connectTimeoutMs?: number; via?: Provider } = {},
) {
  const events: StreamEvent[] = [];
  let error: unknown;
  try {
    const stream = (options.via ?? provider).streamChat(
      { ...request, ...extra },
      {
        signal: options.signal ?? new AbortController().signal,
        connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      },
    );
    for await (const event of stream) events.push(event);
  } catch (caught) {
    error = caught;
  }
  const text = events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
  return { events, text, error, last: events.at(-1), types: events.map((e) => e.type) };
}

const requestBody = () => stub.requests[0]?.body as Record<string, unknown>;

describe('createOpenAIProvider', () => {
  it('when the key is missing, then creating it throws naming apiKey and OPENAI_API_KEY', () => {
    expect(() => createOpenAIProvider({ apiKey: '', models: [] })).toThrow(
      /apiKey.*OPENAI_API_KEY/,
    );
  });

  it('when a chat streams, then the text is the stub reply and exact usage precedes finish stop', async () => {
    const { events, text, error } = await run();

    expect(error).toBeUndefined();
    expect(text).toBe(REPLY);
    expect(events.filter((e) => e.type === 'text-delta')).toHaveLength(exactUsage.outputTokens);
    expect(events.slice(-2)).toEqual([
      { type: 'usage', usage: exactUsage },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(requestBody()).toMatchObject({
      model: 'gpt-stub',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('when the stub sends no usage, then the usage is counted locally and marked estimated', async () => {
    stub.script({ kind: 'no-usage' });
    const { events } = await run();

    expect(events.at(-2)).toEqual({ type: 'usage', usage: estimateUsage(request, REPLY) });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('when the stub sends usage without an output count, then the usage is estimated instead', async () => {
    stub.script({ kind: 'partial-usage' });
    const { events } = await run();

    expect(events.at(-2)).toEqual({ type: 'usage', usage: estimateUsage(request, REPLY) });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('when maxTokens is 3, then three words come and the finish reason is length', async () => {
    const { text, last } = await run({ maxTokens: 3, temperature: 0.3, topP: 0.9 });

    expect(text).toBe('Hello from the');
    expect(last).toEqual({ type: 'finish', reason: 'length' });
    // OpenAI's reasoning models reject the deprecated max_tokens.
    expect(requestBody()).toMatchObject({
      max_completion_tokens: 3,
      temperature: 0.3,
      top_p: 0.9,
    });
    expect(requestBody()).not.toHaveProperty('max_tokens');
  });

  it('when stop sequences are given, then they reach the upstream and the reply ends before them', async () => {
    const { text, last } = await run({ stop: ['You said', 'never'] });

    expect(requestBody().stop).toEqual(['You said', 'never']);
    expect(text).toBe('Hello from the stub. ');
    expect(last).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('when keep-alive comments come between chunks, then they are ignored', async () => {
    stub.script({ kind: 'keep-alive' });
    const { text, events } = await run();

    expect(text).toBe(REPLY);
    expect(events.at(-2)).toEqual({ type: 'usage', usage: exactUsage });
  });

  it('when the response headers take longer than connectTimeoutMs, then it throws timeout and the request is aborted', async () => {
    stub.script({ kind: 'latency', ms: 2_000 });
    const started = Date.now();
    const { error } = await run({}, { connectTimeoutMs: 100 });

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'timeout', status: undefined });
    expect((error as ProviderError).isRetryable).toBe(true);
    await vi.waitFor(() => expect(stub.requests[0]?.aborted).toBe(true));
  });

  it('when the connection is cut after 2 chunks, then the text so far is followed by its usage and a network error event', async () => {
    stub.script({ kind: 'cut', afterChunks: 2 });
    const { text, last, types, events, error } = await run();

    expect(error).toBeUndefined();
    expect(text).toBe('Hello from');
    expect(last).toMatchObject({ type: 'error', code: 'network', retryable: true });
    expect(types).not.toContain('finish');
    // The upstream's count never came: the text so far is counted.
    expect(events.at(-2)).toEqual({
      type: 'usage',
      usage: { inputTokens: expect.any(Number), outputTokens: 2, estimated: true },
    });
  });

  it('when the connection is cut before any chunk, then it throws a retryable network error', async () => {
    stub.script({ kind: 'cut', afterChunks: 0 });
    const { error, events } = await run();

    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'network' });
    expect((error as ProviderError).isRetryable).toBe(true);
  });

  it('when an error event arrives after 1 chunk, then the stream ends with a retryable error event', async () => {
    stub.script({ kind: 'error-event', afterChunks: 1 });
    const { text, last, types } = await run();

    expect(text).toBe('Hello');
    expect(last).toMatchObject({ type: 'error', code: 'server_error', retryable: true });
    expect((last as { message: string }).message).toContain('The server had an error');
    expect(types).not.toContain('finish');
  });

  it('when an error event arrives before any chunk, then it is thrown as a retryable ProviderError', async () => {
    stub.script({ kind: 'error-event', afterChunks: 0 });
    const { error, events } = await run();

    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).isRetryable).toBe(true);
  });

  it('when a malformed chunk arrives after 3 chunks, then the text so far is followed by an error event', async () => {
    stub.script({ kind: 'malformed', afterChunks: 3 });
    const { text, last, types } = await run();

    expect(text).toBe('Hello from the');
    expect(last).toMatchObject({ type: 'error', code: 'malformed_response' });
    expect(types).not.toContain('finish');
  });

  it('when the caller aborts after 2 deltas, then the upstream request is aborted and the stream ends cancelled', async () => {
    stub.script({ kind: 'chunk-delay', ms: 50 });
    const controller = new AbortController();
    const events: StreamEvent[] = [];
    for await (const event of provider.streamChat(request, {
      signal: controller.signal,
      connectTimeoutMs: 5_000,
    })) {
      events.push(event);
      if (events.length === 2) controller.abort();
    }

    expect(events).toEqual([
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ' from' },
      { type: 'usage', usage: estimateUsage(request, 'Hello from') },
      { type: 'finish', reason: 'cancelled' },
    ]);
    await vi.waitFor(() => expect(stub.requests[0]?.aborted).toBe(true));
  });

  it('when the caller aborts before the response headers, then the stream ends cancelled without throwing', async () => {
    stub.script({ kind: 'latency', ms: 2_000 });
    const { events, error } = await run({}, { signal: AbortSignal.timeout(50) });

    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'usage', usage: estimateUsage(request, '') },
      { type: 'finish', reason: 'cancelled' },
    ]);
    await vi.waitFor(() => expect(stub.requests[0]?.aborted).toBe(true));
  });

  it('when the consumer stops reading after the first delta, then the upstream request is aborted', async () => {
    stub.script({ kind: 'chunk-delay', ms: 50 });
    const stream = provider.streamChat(request, {
      signal: new AbortController().signal,
      connectTimeoutMs: 5_000,
    });
    for await (const event of stream) {
      expect(event).toEqual({ type: 'text-delta', text: 'Hello' });
      break;
    }

    await vi.waitFor(() => expect(stub.requests[0]?.aborted).toBe(true));
  });
});
