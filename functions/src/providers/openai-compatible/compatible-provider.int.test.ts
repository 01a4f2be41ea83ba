// The OpenAI-compatible adapter: the provider contract under its own id, presets resolve to their
// endpoints, missing configuration is named, and calls go through the real openai SDK to the stub.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  countStubTokens,
  startProviderStub,
  stubReply,
  type ProviderStub,
} from '@colonycraft/testing';
import type { Provider, ProviderRequest } from '../provider.js';
import { providerContract, runProvider } from '../dev/provider-contract.js';
import { createCompatibleProvider, KEYLESS_API_KEY } from './compatible-provider.js';
import {
  COMPATIBLE_PRESET_NAMES,
  COMPATIBLE_PRESETS,
  compatiblePreset,
} from '@colonycraft/protocol';

const QUESTION = 'Which model are you?';
const REPLY = stubReply(QUESTION);
const request: ProviderRequest = {
  model: 'llama-stub',
  messages: [{ role: 'user', content: QUESTION }],
};

let stub: ProviderStub;

beforeAll(async () => {
  stub = await startProviderStub();
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());
afterEach(() => vi.unstubAllEnvs());

const run = (provider: Provider, extra: Partial<ProviderRequest> = {}) =>
  runProvider(provider, { ...request, ...extra });

/** A fetch that records where the SDK meant to go, then sends the request to the stub instead. */
function redirectingFetch(seen: string[]): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    seen.push(url);
    const path = new URL(url).pathname.replace(/^.*\/(chat\/completions)$/, '/$1');
    return fetch(`${stub.openaiBaseURL}${path}`, init);
  };
}

// Any compatible server, under its own id: errors name that id.
providerContract({
  upstream: (contractStub, apiKey) =>
    createCompatibleProvider({
      id: 'my-vllm',
      preset: 'vllm',
      baseURL: contractStub.openaiBaseURL,
      apiKey,
      models: [],
    }),
});

describe('compatible presets', () => {
  it('when listed, then each has a display name and an http(s) base URL, and the hosted ones need a key', () => {
    for (const name of COMPATIBLE_PRESET_NAMES) {
      const preset = COMPATIBLE_PRESETS[name];
      expect(preset.displayName).not.toBe('');
      expect(new URL(preset.baseURL).protocol).toMatch(/^https?:$/);
      expect(preset.requiresApiKey).toBe(preset.baseURL.startsWith('https:'));
    }
    expect(compatiblePreset('groq')?.baseURL).toBe('https://api.groq.com/openai/v1');
    expect(compatiblePreset('ollama')).toMatchObject({ requiresApiKey: false });
    expect(compatiblePreset('toString')).toBeUndefined();
  });

  it.each([
    ['gemini', 'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions'],
    ['groq', 'https://api.groq.com/openai/v1/chat/completions'],
    ['openrouter', 'https://openrouter.ai/api/v1/chat/completions'],
    ['ollama', 'http://127.0.0.1:11434/v1/chat/completions'],
  ])('when the %s preset is used, then the request goes to %s', async (preset, url) => {
    const seen: string[] = [];
    const provider = createCompatibleProvider({
      id: preset,
      preset,
      apiKey: 'k-123',
      models: [],
      fetch: redirectingFetch(seen),
    });
    const { text } = await run(provider);

    expect(seen).toEqual([url]);
    expect(text).toBe(REPLY);
  });

  it('when the mistral preset is used, then stream_options is left out, as Mistral rejects it', async () => {
    const provider = createCompatibleProvider({
      id: 'mistral',
      preset: 'mistral',
      apiKey: 'k-123',
      models: [],
      fetch: redirectingFetch([]),
    });
    const { events } = await run(provider);

    expect(stub.requests[0]?.body).not.toHaveProperty('stream_options');
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });
});

describe('createCompatibleProvider', () => {
  it('when a preset needs a key and none is given, then it throws naming apiKey and COMPATIBLE_API_KEY', () => {
    expect(() => createCompatibleProvider({ id: 'groq', preset: 'groq', models: [] })).toThrow(
      'createCompatibleProvider: apiKey is missing; Groq needs one: pass apiKey or set COMPATIBLE_API_KEY',
    );
    expect(() =>
      createCompatibleProvider({ id: 'groq', preset: 'groq', apiKey: '', models: [] }),
    ).toThrow(/COMPATIBLE_API_KEY/);
  });

  it('when neither a preset nor a baseURL is given, then it throws naming COMPATIBLE_BASE_URL', () => {
    expect(() => createCompatibleProvider({ id: 'mine', models: [] })).toThrow(
      /baseURL is missing.*COMPATIBLE_BASE_URL/,
    );
  });

  it('when the preset is unknown, then it throws naming it and the known ones', () => {
    expect(() => createCompatibleProvider({ id: 'x', preset: 'nope', models: [] })).toThrow(
      /unknown preset "nope" \(COMPATIBLE_PRESET\); known: gemini, mistral, groq/,
    );
  });

  it('when called with a baseURL and no key, then the stub answers and OPENAI_API_KEY never leaves', async () => {
    vi.stubEnv('OPENAI_API_KEY', 'sk-openai-from-env');
    const provider = createCompatibleProvider({
      id: 'compatible',
      baseURL: stub.openaiBaseURL,
      models: [],
    });
    const { text, events, error } = await run(provider, { maxTokens: 50, stop: ['never'] });

    expect(error).toBeUndefined();
    expect(text).toBe(REPLY);
    expect(events.slice(-2)).toEqual([
      {
        type: 'usage',
        usage: {
          inputTokens: countStubTokens(QUESTION),
          outputTokens: countStubTokens(REPLY),
          estimated: false,
        },
      },
      { type: 'finish', reason: 'stop' },
    ]);
    const [received] = stub.requests;
    expect(received?.headers.authorization).toBe(`Bearer ${KEYLESS_API_KEY}`);
    // Compatible servers get the older, widely known name of the limit.
    expect(received?.body).toMatchObject({ max_tokens: 50, stop: ['never'] });
    expect(received?.body).not.toHaveProperty('max_completion_tokens');
  });
});
