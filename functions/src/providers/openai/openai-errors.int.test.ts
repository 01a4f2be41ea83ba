// How the OpenAI adapter words an upstream's refusals, through the real openai SDK and the
// provider stub: OpenAI's own code and words, and a key echoed back redacted. Status,
// retryability and retry-after are the provider contract's (dev/provider-contract.ts).
import { describe, expect, it } from 'vitest';
import { startProviderStub } from '@colonycraft/testing';
import { ProviderError } from '../provider.js';
import { redact } from '../provider-errors.js';
import { CONTRACT_REQUEST, runProvider } from '../dev/provider-contract.js';
import { createOpenAIProvider } from './openai-provider.js';

const WRONG_KEY = 'test-openai-key-wrong-0123456789abcdef';

describe('openai errors and the API key', () => {
  it('when the stub rejects the key, then the 401 says invalid_api_key in the upstream words', async () => {
    const strict = await startProviderStub({ apiKey: 'sk-the-right-one' });
    try {
      const wrong = createOpenAIProvider({
        apiKey: WRONG_KEY,
        baseURL: strict.openaiBaseURL,
        models: [],
      });
      const { error } = await runProvider(wrong, CONTRACT_REQUEST);

      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
      expect((error as ProviderError).message).toMatch(/^openai answered 401: Incorrect API key/);
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
    const { error } = await runProvider(echoing, CONTRACT_REQUEST);

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
