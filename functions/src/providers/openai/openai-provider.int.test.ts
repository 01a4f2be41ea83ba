// The OpenAI adapter against the provider stub, through the real openai SDK: the provider
// contract, then what is OpenAI's own: the request's fields, partial usage, the finish reasons
// and its in-stream error.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startProviderStub, type ProviderStub } from '@colonycraft/testing';
import type { Provider, ProviderRequest } from '../provider.js';
import { estimateUsage } from '../usage.js';
import {
  CONTRACT_REQUEST,
  providerContract,
  runProvider,
  STUB_ANSWER,
} from '../dev/provider-contract.js';
import { createOpenAIProvider } from './openai-provider.js';

const request: ProviderRequest = { ...CONTRACT_REQUEST, model: 'gpt-stub' };

let stub: ProviderStub;
let provider: Provider;

beforeAll(async () => {
  stub = await startProviderStub();
  provider = createOpenAIProvider({ apiKey: 'sk-test', baseURL: stub.openaiBaseURL, models: [] });
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

const run = (extra: Partial<ProviderRequest> = {}) =>
  runProvider(provider, { ...request, ...extra });
const requestBody = () => stub.requests[0]?.body as Record<string, unknown>;

providerContract({
  upstream: (contractStub, apiKey) =>
    createOpenAIProvider({ apiKey, baseURL: contractStub.openaiBaseURL, models: [] }),
});

describe('createOpenAIProvider', () => {
  it('when the key is missing, then creating it throws naming apiKey and OPENAI_API_KEY', () => {
    expect(() => createOpenAIProvider({ apiKey: '', models: [] })).toThrow(
      /apiKey.*OPENAI_API_KEY/,
    );
  });

  it('when a chat streams, then the request asks for a stream with usage, one chunk a word', async () => {
    const { events } = await run();

    expect(events.filter((e) => e.type === 'text-delta')).toHaveLength(
      STUB_ANSWER.usage.outputTokens,
    );
    expect(requestBody()).toMatchObject({
      model: 'gpt-stub',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('when the stub sends usage without an output count, then the usage is estimated instead', async () => {
    stub.script({ kind: 'partial-usage' });
    const { events } = await run();

    expect(events.at(-2)).toEqual({
      type: 'usage',
      usage: estimateUsage(request, STUB_ANSWER.text),
    });
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

  it('when an error event arrives after 1 chunk, then its code is the upstream error type', async () => {
    stub.script({ kind: 'error-event', afterChunks: 1 });
    const { last } = await run();

    expect(last).toMatchObject({ type: 'error', code: 'server_error', retryable: true });
    expect((last as { message: string }).message).toContain('The server had an error');
  });
});
