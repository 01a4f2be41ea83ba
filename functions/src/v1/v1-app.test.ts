// The /v1 app in-process, with the keyless local model and an in-memory limiter: how the
// revocation check and the limiter's decision share one wait, and what a revoked caller's
// admission becomes. The whole path, with Redis, Firestore and the provider stub, is in
// v1.int.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

const MAX_BODY_BYTES = 1_000_000;

let store: SpyLimitStore;
/** Resolves the revocation check of the next call; by default it passes at once. */
let revocationGate: () => Promise<void>;
let hosted: HostedFunctions;
const env = { LOCAL_PROVIDER: process.env.LOCAL_PROVIDER };

beforeAll(async () => {
  process.env.LOCAL_PROVIDER = 'enabled';
  process.env.LOCAL_PROVIDER_CHUNK_DELAY_MS = '0';
  const app = createV1App({
    entries: [providerEntry('local')],
    policy: policyFromEnv({ GATEWAY_MAX_BODY_BYTES: String(MAX_BODY_BYTES) }),
    limiter: () => new Limiter(store, limitsConfigFromEnv({})),
    identify: async (bearer) => ({
      claims: claimsOf(bearer),
      checkRevocation: async () => {
        await revocationGate();
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
  revocationGate = () => Promise.resolve();
});

const ask = (bearer: string, body: Record<string, unknown> = {}) =>
  fetch(`${hosted.url('v1')}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'local/echo',
      messages: [{ role: 'user', content: 'hi' }],
      ...body,
    }),
  });

describe('the revocation check beside the limiter', () => {
  it('when the caller is not revoked, then both are asked before either has answered', async () => {
    // The check only passes once the limiter has been asked: made one after the other, the
    // call would never get an answer.
    let asked!: () => void;
    const limiterAsked = new Promise<void>((resolve) => (asked = resolve));
    store.onAdmit = () => asked();
    revocationGate = () => limiterAsked;
    const res = await ask('alice');
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message
        .content,
    ).toContain('You said: hi');
    expect(store.admits).toHaveLength(1);
    expect(store.settles).toHaveLength(1);
  });

  it('when the caller has been revoked, then it gets 401 and its admission is settled as unused', async () => {
    const res = await ask('revoked-bob', { max_tokens: 50 });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'revoked',
    );
    expect(store.admits).toHaveLength(1);
    expect(store.settles).toEqual([
      expect.objectContaining({
        leaseId: store.admits[0]!.leaseId,
        // Nothing used: all of the reservation comes back (the local model is free).
        extraTokens: -store.admits[0]!.tokens,
        extraCostMicroUsd: 0,
      }),
    ]);
  });

  it('when the caller has been revoked and the limiter refuses too, then it learns it was revoked', async () => {
    store.refuse = true;
    const res = await ask('revoked-carol');
    expect(res.status).toBe(401);
    expect(store.settles).toHaveLength(0);
  });

  it('when the limiter refuses a caller in good standing, then it gets 429', async () => {
    store.refuse = true;
    expect((await ask('dave')).status).toBe(429);
  });
});

describe('streaming', () => {
  it('streams the answer as OpenAI chunks and settles the call before [DONE]', async () => {
    const res = await ask('erin', { stream: true });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    const events = text
      .split('\n\n')
      .filter(Boolean)
      .map((e) => e.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const first = JSON.parse(events[0]!) as { choices: { delta: { role?: string } }[] };
    expect(first.choices[0]?.delta.role).toBe('assistant');
    expect(store.settles).toHaveLength(1);
  });
});

describe('input of any size and shape', () => {
  it('when a message is one run of 400,001 characters, then it is refused for its size after a reservation by its bytes', async () => {
    // The tokenizer's cost grows with the square of such a run: counted whole before the
    // limiter, this request held the CPU for minutes.
    const res = await ask('frank', {
      model: 'local/nope',
      messages: [{ role: 'user', content: 'a'.repeat(400_001) }],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^messages: 400001 characters in all is more than the 400000 allowed/,
    );
    expect(store.admits).toHaveLength(1);
    // About a token per four bytes for the bucket (the output maximum besides); all returned.
    const output = policyFromEnv({}).defaultMaxTokens;
    expect(store.admits[0]!.tokens - output).toBe(3 + 3 + 100_001);
    expect(store.settles).toEqual([
      expect.objectContaining({ extraTokens: -store.admits[0]!.tokens }),
    ]);
  });

  it.each([
    ['/v1/chat/completions', 'invalid_request_error'],
    ['/v1/messages', 'request_too_large'],
  ])(
    'when a body to %s is larger than the limit, then it is refused with 413 before any admission',
    async (path, type) => {
      const res = await fetch(`${hosted.url('v1')}${path}`, {
        method: 'POST',
        headers: { authorization: 'Bearer gina', 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'local/echo',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'b '.repeat(MAX_BODY_BYTES / 2) }],
        }),
      });
      expect(res.status).toBe(413);
      const { error } = (await res.json()) as { error: { type: string; message: string } };
      expect(error.type).toBe(type);
      expect(error.message).toMatch(/bytes is more than the 1000000 a request may have/);
      expect(store.admits).toHaveLength(0);
    },
  );
});
