// The Anthropic adapter against the provider stub, through the real @anthropic-ai/sdk: the
// provider contract, then what is Anthropic's own: the system prompt, max_tokens and
// stop_sequences, its error types as codes, and its in-stream error.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  countStubTokens,
  startProviderStub,
  stubReply,
  type ProviderStub,
} from '@colonycraft/testing';
import { ProviderError, type Provider, type ProviderRequest } from '../provider.js';
import { estimateUsage } from '../usage.js';
import { providerContract, runProvider, STUB_ANSWER } from '../dev/provider-contract.js';
import { createAnthropicProvider, DEFAULT_ANTHROPIC_MAX_TOKENS } from './anthropic-provider.js';

const KEY = 'test-anthropic-key-right-0123456789';
const QUESTION = 'Name three primary colours.';
const request: ProviderRequest = {
  model: 'claude-stub',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'system', content: 'Answer in English.' },
    { role: 'user', content: QUESTION },
  ],
};
const SYSTEM = 'You are terse.\n\nAnswer in English.';

let stub: ProviderStub;
let provider: Provider;

beforeAll(async () => {
  stub = await startProviderStub({ apiKey: KEY });
  provider = createAnthropicProvider({ apiKey: KEY, baseURL: stub.anthropicBaseURL, models: [] });
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

const run = (extra: Partial<ProviderRequest> = {}, via = provider) =>
  runProvider(via, { ...request, ...extra });
const requestBody = () => stub.requests[0]?.body as Record<string, unknown>;

providerContract({
  upstream: (contractStub, apiKey) =>
    createAnthropicProvider({ apiKey, baseURL: contractStub.anthropicBaseURL, models: [] }),
  // message_start told the input tokens; the output ones, which come last, are counted.
  usageSoFar: (produced, asked) => ({
    ...estimateUsage(asked, produced),
    inputTokens: STUB_ANSWER.usage.inputTokens,
  }),
});

describe('createAnthropicProvider', () => {
  it('when the key is missing, then creating it throws naming apiKey and ANTHROPIC_API_KEY', () => {
    expect(() => createAnthropicProvider({ apiKey: '', models: [] })).toThrow(
      /apiKey.*ANTHROPIC_API_KEY/,
    );
  });

  it('when a chat streams, then the system messages are joined into system and the reply and exact usage come back', async () => {
    const { events, text, error } = await run();

    expect(error).toBeUndefined();
    expect(text).toBe(stubReply(QUESTION));
    expect(events.slice(-2)).toEqual([
      {
        type: 'usage',
        usage: {
          inputTokens: countStubTokens(`${SYSTEM}\n${QUESTION}`),
          outputTokens: countStubTokens(stubReply(QUESTION)),
          estimated: false,
        },
      },
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

  it('when maxTokens is 3, then three words come and the finish reason is length', async () => {
    const { text, last } = await run({ maxTokens: 3 });

    expect(requestBody().max_tokens).toBe(3);
    expect(text).toBe('Hello from the');
    expect(last).toEqual({ type: 'finish', reason: 'length' });
  });

  it('when stop sequences are given, then they are sent as stop_sequences and the finish is stop, naming the one that ended it', async () => {
    const { text, last } = await run({ stop: ['You said'] });

    expect(requestBody().stop_sequences).toEqual(['You said']);
    expect(text).toBe('Hello from the stub. ');
    expect(last).toEqual({ type: 'finish', reason: 'stop', stopSequence: 'You said' });
  });

  it.each([
    [429, 'rate_limit_error'],
    [529, 'overloaded_error'],
  ])('when the upstream answers %i, then the code is its error type %s', async (status, code) => {
    stub.script({ kind: 'status', status });
    const { error } = await run();

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'anthropic', status, code });
    expect((error as ProviderError).isRetryable).toBe(true);
  });

  it('when the key is wrong, then the 401 says authentication_error in the upstream words', async () => {
    const wrong = createAnthropicProvider({
      apiKey: 'test-anthropic-key-wrong-abcdef0123',
      baseURL: stub.anthropicBaseURL,
      models: [],
    });
    const { error } = await run({}, wrong);

    expect(error).toMatchObject({ status: 401, code: 'authentication_error' });
    expect((error as ProviderError).message).toBe('anthropic answered 401: invalid x-api-key');
  });

  it('when an overloaded_error event arrives after 1 chunk, then the stream ends with it as a retryable error event', async () => {
    stub.script({ kind: 'error-event', afterChunks: 1 });
    const { last } = await run();

    expect(last).toEqual({
      type: 'error',
      code: 'overloaded_error',
      message: 'anthropic sent an error in its stream: Overloaded',
      retryable: true,
    });
  });
});
