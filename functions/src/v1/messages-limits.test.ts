// The limiter on /v1/messages in-process, with the keyless local model and a memory limiter
// that can be told to refuse: a refusal reaches @anthropic-ai/sdk as RateLimitError with its
// Retry-After, which the SDK's own retry waits for; count_tokens counts as one request and
// spends nothing; a revoked caller is refused in Anthropic's shape.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Anthropic, { AuthenticationError, RateLimitError } from '@anthropic-ai/sdk';
import type { ClientTokenClaims } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import { hostFunctions, type HostedFunctions, type HttpFunction } from '../dev/http-host.js';
import { policyFromEnv } from '../gateway/policy.js';
import { SpyLimitStore } from '../dev/limits/spy-store.js';
import { Limiter } from '../limits/limiter.js';
import { limitsConfigFromEnv } from '../limits/limits-config.js';
import { providerEntry } from '../providers/registry.js';
import { createV1App } from './v1-app.js';

const claimsOf = (bearer: string): ClientTokenClaims => ({
  sub: `user-${bearer}`,
  role: 'member',
  models: ['*'],
  tier: 'standard',
  jti: bearer,
});

let store: SpyLimitStore;
let hosted: HostedFunctions;
const env = { LOCAL_PROVIDER: process.env.LOCAL_PROVIDER };

beforeAll(async () => {
  process.env.LOCAL_PROVIDER = 'enabled';
  process.env.LOCAL_PROVIDER_CHUNK_DELAY_MS = '0';
  const app = createV1App({
    entries: [providerEntry('local')],
    policy: policyFromEnv({}),
    limiter: () => new Limiter(store, limitsConfigFromEnv({})),
    identify: async (bearer) => ({
      claims: claimsOf(bearer),
      checkRevocation: async () => {
        if (bearer.startsWith('revoked'))
          throw new GatewayError('unauthenticated', 'Client token has been revoked.');
      },
    }),
    corsOrigins: [],
  });
  hosted = await hostFunctions({ v1: app as unknown as HttpFunction });
});

afterAll(async () => {
  await hosted?.close();
  process.env.LOCAL_PROVIDER = env.LOCAL_PROVIDER;
});

beforeEach(() => {
  store = new SpyLimitStore();
});

const clientOf = (apiKey: string, maxRetries = 0) =>
  new Anthropic({ apiKey, baseURL: hosted.url('v1'), maxRetries });
const ASK = {
  model: 'local/echo',
  max_tokens: 50,
  messages: [{ role: 'user' as const, content: 'hi' }],
};

describe('the limiter', () => {
  it("when it refuses, then the SDK raises RateLimitError with Retry-After in Anthropic's shape", async () => {
    store.refusals = 1;
    const error = (await clientOf('alice')
      .messages.create(ASK)
      .catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.headers?.get('retry-after')).toBe('1');
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it("when it refuses once, then the SDK's own retry waits the Retry-After and is answered", async () => {
    store.refusals = 1;
    const started = Date.now();
    const message = await clientOf('bob', 1).messages.create(ASK);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(message.content[0]).toMatchObject({ type: 'text' });
    expect(store.admits).toHaveLength(2);
  });

  it('when a request is counted, then it is one request whose reservation all comes back', async () => {
    const counted = await clientOf('carol').messages.countTokens({
      model: 'local/echo',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(store.admits).toHaveLength(1);
    expect(store.settles).toEqual([
      expect.objectContaining({ extraTokens: -store.admits[0]!.tokens, extraCostMicroUsd: 0 }),
    ]);
    store.refusals = 1;
    const refused = await clientOf('carol')
      .messages.countTokens({ model: 'local/echo', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitError);
  });
});

describe('revocation', () => {
  it("when the caller has been revoked, then the SDK raises AuthenticationError in Anthropic's shape", async () => {
    const error = (await clientOf('revoked-dave')
      .messages.create(ASK)
      .catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: 'Client token has been revoked.' },
    });
  });
});
