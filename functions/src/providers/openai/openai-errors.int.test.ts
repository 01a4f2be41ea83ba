// How the OpenAI adapter reports an upstream's refusals, through the real openai SDK and the
// provider stub: status, retryability, retry-after, and messages that never hold the key.
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '@colonycraft/protocol';
import { startProviderStub, type ProviderStub } from '@colonycraft/testing';
import { ProviderError, type Provider, type ProviderRequest } from '../provider.js';
import { redact } from '../provider-errors.js';
import { createOpenAIProvider } from './openai-provider.js';

const request: ProviderRequest = {
  model: 'gpt-stub',
  messages: [{ role: 'user', content: 'Hello?' }],
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
async function run(options: { via?: Provider } = {}) {
  const events: StreamEvent[] = [];
  let error: unknown;
  try {
    const stream = (options.via ?? provider).streamChat(request, {
      signal: new AbortController().signal,
      connectTimeoutMs: 5_000,
    });
    for await (const event of stream) events.push(event);
  } catch (caught) {
    error = caught;
  }
  return { events, error };
}

describe('openai errors before the first event', () => {
  it('when the upstream answers 429 with retry-after, then a retryable ProviderError carries the wait', async () => {
    stub.script({ kind: 'status', status: 429, retryAfter: 12, message: 'too many requests' });
    const { error, events } = await run();

    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'openai', status: 429, retryAfterMs: 12_000 });
    expect((error as ProviderError).isRetryable).toBe(true);
    expect((error as ProviderError).message).toBe('openai answered 429: too many requests');
  });

  it('when the upstream answers 400, then the error is not retryable and quotes the upstream', async () => {
    stub.script({ kind: 'status', status: 400, message: 'model does not exist' });
    const { error } = await run();

    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(400);
    expect((error as ProviderError).isRetryable).toBe(false);
    expect((error as ProviderError).message).toBe('openai answered 400: model does not exist');
  });
});

describe('openai errors and the API key', () => {
  const WRONG_KEY = 'test-openai-key-wrong-0123456789abcdef';

  function expectNoKey(error: unknown): void {
    const safe = error as ProviderError;
    const fields = JSON.stringify({ ...safe, message: safe.message, code: safe.code });
    expect(fields).not.toContain(WRONG_KEY);
    expect(JSON.stringify(error)).not.toContain(WRONG_KEY);
    // The cause chain (the SDK error, its headers and body) must not hold it either.
    expect(inspect(error, { depth: 10 })).not.toContain(WRONG_KEY);
  }

  it('when the stub rejects the key, then a 401 ProviderError holds no trace of the key', async () => {
    const strict = await startProviderStub({ apiKey: 'sk-the-right-one' });
    try {
      const wrong = createOpenAIProvider({
        apiKey: WRONG_KEY,
        baseURL: strict.openaiBaseURL,
        models: [],
      });
      const { error } = await run({ via: wrong });

      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
      expect((error as ProviderError).isRetryable).toBe(false);
      expect((error as ProviderError).message).toMatch(/^openai answered 401: Incorrect API key/);
      expectNoKey(error);
    } finally {
      await strict.close();
    }
  });

  it('when an upstream echoes the whole key in its error, then the message has it redacted', async () => {
    // A server that quotes the Authorization header it rejected, as some proxies do.
    const echo: typeof fetch = async (_url, init) => {
      const header = new Headers(init?.headers).get('authorization') ?? '';
      const body = { error: { message: `bad key ${header.slice(7)} (${header})` } };
      return new Response(JSON.stringify(body), {
        status: 401,
        headers: { 'content-type': 'application/json' },
      });
    };
    const echoing = createOpenAIProvider({ apiKey: WRONG_KEY, models: [], fetch: echo });
    const { error } = await run({ via: echoing });

    expect((error as ProviderError).message).toBe(
      'openai answered 401: bad key [redacted] (Bearer [redacted])',
    );
    expect(JSON.stringify(error)).not.toContain(WRONG_KEY);
  });

  it('when redacting, then the key and bearer tokens go but the text around them stays', () => {
    expect(
      redact('key sk-abcdef1234 in "Bearer sk-abcdef1234", Bearer xyz.1', 'sk-abcdef1234'),
    ).toBe('key [redacted] in "Bearer [redacted]", Bearer [redacted]');
    expect(redact('x'.repeat(1_000), undefined)).toHaveLength(301);
  });
});
