// The Anthropic adapter against the provider stub, through the real @anthropic-ai/sdk: system
// prompt, text, usage, limits, the error contract and cancellation.
import { inspect } from 'node:util';
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
import { createAnthropicProvider, DEFAULT_ANTHROPIC_MAX_TOKENS } from './anthropic-provider.js';

const KEY = 'test-anthropic-key-right-0123456789';
const QUESTION = 'Name three primary colours.';
const REPLY = stubReply(QUESTION);
const request: ProviderRequest = {
  model: 'claude-stub',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'system', content: 'Answer in English.' },
    { role: 'user', content: QUESTION },
  ],
};
const SYSTEM = 'You are terse.\n\nAnswer in English.';
const exactUsage = {
  inputTokens: countStubTokens(`${SYSTEM}\n${QUESTION}`),
  outputTokens: countStubTokens(REPLY),
  estimated: false,
};

let stub: ProviderStub;
let provider: Provider;

beforeAll(async () => {
  stub = await startProviderStub({ apiKey: KEY });
  provider = createAnthropicProvider({ apiKey: KEY, baseURL: stub.anthropicBaseURL, models: [] });
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

/** Reads the provider's stream to its end, keeping the events and what it threw, if anything. */
async function run(
  extra: Partial<ProviderRequest> = {},
  options: { connectTimeoutMs?: number; via?: Provider } = {},
) {
  const events: StreamEvent[] = [];
  let error: unknown;
  try {
    const stream = (options.via ?? provider).streamChat(
      { ...request, ...extra },
      { signal: new AbortController().signal, connectTimeoutMs: options.connectTimeoutMs ?? 5_000 },
    );
    for await (const event of stream) events.push(event);
  } catch (caught) {
    error = caught;
  }
  const text = events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
  return { events, text, error, last: events.at(-1), types: events.map((e) => e.type) };
}

const requestBody = () => stub.requests[0]?.body as Record<string, unknown>;

describe('createAnthropicProvider', () => {
  it('when the key is missing, then creating it throws naming apiKey and ANTHROPIC_API_KEY', () => {
    expect(() => createAnthropicProvider({ apiKey: '', models: [] })).toThrow(
      /apiKey.*ANTHROPIC_API_KEY/,
    );
  });

  it('when a chat streams, then the system messages are joined into system and the reply and exact usage come back', async () => {
    const { events, text, error } = await run();

    expect(error).toBeUndefined();
    expect(text).toBe(REPLY);
    expect(events.slice(-2)).toEqual([
      { type: 'usage', usage: exactUsage },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(requestBody()).toEqual({
      model: 'claude-stub',
      system: SYSTEM,
      messages: [{ role: 'user', content: QUESTION }],
      max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
      stream: true,
    });
  });

  it('when the stub sends no usage, then the usage is counted locally and marked estimated', async () => {
    stub.script({ kind: 'no-usage' });
    const { events } = await run();

    expect(events.at(-2)).toEqual({ type: 'usage', usage: estimateUsage(request, REPLY) });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('when maxTokens is 3, then three words come and the finish reason is length', async () => {
    const { text, last } = await run({ maxTokens: 3 });

    expect(requestBody().max_tokens).toBe(3);
    expect(text).toBe('Hello from the');
    expect(last).toEqual({ type: 'finish', reason: 'length' });
  });

  it('when stop sequences are given, then they are sent as stop_sequences and the finish is stop', async () => {
    const { text, last } = await run({ stop: ['You said'] });

    expect(requestBody().stop_sequences).toEqual(['You said']);
    expect(text).toBe('Hello from the stub. ');
    expect(last).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('when keep-alive comments come between events, then they are ignored', async () => {
    stub.script({ kind: 'keep-alive' });
    const { text, events } = await run();

    expect(text).toBe(REPLY);
    expect(events.at(-2)).toEqual({ type: 'usage', usage: exactUsage });
  });

  it('when the upstream answers 429 with retry-after, then a retryable ProviderError carries the wait', async () => {
    stub.script({ kind: 'status', status: 429, retryAfter: 7, message: 'slow down' });
    const { error, events } = await run();

    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      provider: 'anthropic',
      status: 429,
      code: 'rate_limit_error',
      retryAfterMs: 7_000,
      message: 'anthropic answered 429: slow down',
    });
    expect((error as ProviderError).isRetryable).toBe(true);
  });

  it('when the upstream answers 400, then the error is not retryable and quotes the upstream', async () => {
    stub.script({ kind: 'status', status: 400, message: 'messages: roles must alternate' });
    const { error } = await run();

    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).isRetryable).toBe(false);
    expect((error as ProviderError).message).toBe(
      'anthropic answered 400: messages: roles must alternate',
    );
  });

  it('when the upstream answers 529 overloaded, then the error is retryable', async () => {
    stub.script({ kind: 'status', status: 529 });
    const { error } = await run();

    expect(error).toMatchObject({ status: 529, code: 'overloaded_error' });
    expect((error as ProviderError).isRetryable).toBe(true);
  });

  it('when the key is wrong, then a 401 ProviderError holds no trace of the key', async () => {
    const wrongKey = 'test-anthropic-key-wrong-abcdef0123';
    const wrong = createAnthropicProvider({
      apiKey: wrongKey,
      baseURL: stub.anthropicBaseURL,
      models: [],
    });
    const { error } = await run({}, { via: wrong });

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 401, code: 'authentication_error' });
    expect((error as ProviderError).isRetryable).toBe(false);
    expect((error as ProviderError).message).toBe('anthropic answered 401: invalid x-api-key');
    expect(JSON.stringify(error)).not.toContain(wrongKey);
    expect(inspect(error, { depth: 10 })).not.toContain(wrongKey);
  });

  it('when the response headers take longer than connectTimeoutMs, then it throws timeout and the request is aborted', async () => {
    stub.script({ kind: 'latency', ms: 2_000 });
    const { error } = await run({}, { connectTimeoutMs: 100 });

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'timeout' });
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
    // The input count came with message_start; the output is counted from the text so far.
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
  });

  it('when an overloaded_error event arrives after 1 chunk, then the stream ends with a retryable error event', async () => {
    stub.script({ kind: 'error-event', afterChunks: 1 });
    const { text, last, types } = await run();

    expect(text).toBe('Hello');
    expect(last).toEqual({
      type: 'error',
      code: 'overloaded_error',
      message: 'anthropic sent an error in its stream: Overloaded',
      retryable: true,
    });
    expect(types).not.toContain('finish');
  });

  it('when a malformed event arrives after 3 chunks, then the text so far is followed by an error event', async () => {
    stub.script({ kind: 'malformed', afterChunks: 3 });
    const { text, last, types } = await run();

    expect(text).toBe('Hello from the');
    expect(last).toMatchObject({ type: 'error', code: 'malformed_response', retryable: false });
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
      // message_start told the input tokens; the output ones are counted.
      {
        type: 'usage',
        usage: { ...estimateUsage(request, 'Hello from'), inputTokens: exactUsage.inputTokens },
      },
      { type: 'finish', reason: 'cancelled' },
    ]);
    await vi.waitFor(() => expect(stub.requests[0]?.aborted).toBe(true));
  });
});
