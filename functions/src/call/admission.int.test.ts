// Rate limits and budgets as callers meet them: /v1 through the openai SDK and the callables
// through the firebase client SDK, with the limiter on the real Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { getFunctions, httpsCallableFromURL, type Functions } from 'firebase/functions';
import Anthropic from '@anthropic-ai/sdk';
import { LimitRefusal } from '@colonycraft/protocol';
import { usdToMicro } from '../limits/limits-config.js';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';
import { dailySpendMicroUsd } from '../dev/limits/budget-spend.js';
import { TEST_REDIS_URL } from '@colonycraft/testing';

let gw: GatewayFixture;
let app: FirebaseApp;
let functions: Functions;

beforeAll(async () => {
  gw = await startGatewayFixture({
    REDIS_URL: TEST_REDIS_URL,
    RATE_TIERS: JSON.stringify({
      // Three requests, refilled slowly enough that none comes back during a test.
      free: {
        requests: { capacity: 3, refillPerMinute: 0.01 },
        dailyBudgetUsd: 1,
        monthlyBudgetUsd: 5,
      },
      // One stream at a time, plenty of requests.
      standard: { requests: { capacity: 100, refillPerMinute: 100 }, concurrency: 1 },
    }),
  });
  app = initializeApp(
    { apiKey: 'demo-api-key', projectId: 'demo-colonycraft' },
    `limits-${Date.now()}`,
  );
  functions = getFunctions(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await gw?.stop();
});

const body = (model = 'local/echo', content = 'hi') =>
  JSON.stringify({ model, messages: [{ role: 'user', content }] });

async function post(token: string, payload: string) {
  return fetch(`${gw.url}v1/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: payload,
  });
}

describe('rate limits on /v1', () => {
  it('when the request bucket is empty, then 429 with Retry-After and RateLimit headers; answers before carry the headers too', async () => {
    const token = await gw.token({ tier: 'free' });
    const first = await post(token, body());
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    await post(token, body());
    await post(token, body());
    const refused = await post(token, body());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    const error = ((await refused.json()) as { error: { type: string; message: string } }).error;
    expect(error.type).toBe('rate_limit_error');
    expect(error.message).toMatch(/Request rate limit reached/);
  });

  it('when requests fail validation, then they still count against the limit', async () => {
    const token = await gw.token({ tier: 'free' });
    for (let i = 0; i < 3; i += 1) expect((await post(token, '{"model": 42}')).status).toBe(400);
    expect((await post(token, body())).status).toBe(429);
  });

  it('when a call would pass the daily budget, then it is refused naming the budget and when it resets', async () => {
    const token = await gw.token({ tier: 'free' });
    // 1000 max tokens out at $2/M plus the input is within $1; a million is not.
    const res = await fetch(`${gw.url}v1/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'openai/gpt-stub',
        max_tokens: 900_000,
        messages: [{ role: 'user', content: 'x' }],
      }),
    });
    expect(res.status).toBe(429);
    const error = ((await res.json()) as { error: { message: string } }).error;
    expect(error.message).toMatch(/daily budget/i);
    expect(error.message).toMatch(/resets/);
  });

  it('when an answer reads and writes the prompt cache and reasons, then its ledger record and its budget spend are the same cost, at the cache prices', async () => {
    const sub = `cache-${Date.now()}`;
    const token = await gw.token({ sub, tier: 'free' });
    gw.stub.reply({
      text: 'Cached answer.',
      reasoning: 'Thinking it over.',
      usage: { cachedInputTokens: 1_000, cacheWriteTokens: 2_000, reasoningTokens: 40 },
    });
    const res = await fetch(`${gw.url}v1/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'anthropic/claude-stub',
        reasoning_effort: 'low',
        messages: [{ role: 'user', content: 'What did we say before?' }],
      }),
    });
    expect(res.status).toBe(200);
    const record = (await gw.records(sub))[0]!;
    expect(record).toMatchObject({
      cachedInputTokens: 1_000,
      cacheWriteTokens: 2_000,
      reasoningTokens: 40,
      estimated: false,
    });
    // claude-stub: $3/M input, $0.30/M cache reads, $3.75/M cache writes, $15/M output.
    const uncached = record.inputTokens - 3_000;
    const expected = (uncached * 3 + 1_000 * 0.3 + 2_000 * 3.75 + record.outputTokens * 15) / 1e6;
    expect(record.costUsd).toBeCloseTo(expected, 12);
    expect(await dailySpendMicroUsd(`user:${sub}`, TEST_REDIS_URL)).toBe(
      usdToMicro(record.costUsd),
    );
  });

  it('when a call comes through /v1/messages, then its ledger record and its budget spend are the same cost', async () => {
    const sub = `messages-${Date.now()}`;
    const anthropic = new Anthropic({
      apiKey: await gw.token({ sub, tier: 'free' }),
      baseURL: `${gw.url}v1`,
      maxRetries: 0,
    });
    gw.stub.reply({ text: 'Noted.', usage: { cachedInputTokens: 500 } });
    await anthropic.messages.create({
      model: 'anthropic/claude-stub',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Remember this.' }],
    });
    const record = (await gw.records(sub))[0]!;
    expect(record.cachedInputTokens).toBe(500);
    expect(await dailySpendMicroUsd(`user:${sub}`, TEST_REDIS_URL)).toBe(
      usdToMicro(record.costUsd),
    );
  });

  it('when a key is on a higher tier than its owner, then the owner’s own limits still hold, across their keys', async () => {
    const sub = `owner-${Date.now()}`;
    const viaKey = (key: string) => gw.token({ sub, tier: 'standard', key, ownerTier: 'free' });
    const first = await viaKey(`key-a-${Date.now()}`);
    // The owner's free bucket holds three requests; the key's standard one a hundred.
    for (let i = 0; i < 3; i += 1) expect((await post(first, body())).status).toBe(200);
    expect((await post(first, body())).status).toBe(429);
    // Another key of the same owner draws on the same owner's bucket.
    expect((await post(await viaKey(`key-b-${Date.now()}`), body())).status).toBe(429);
  });

  it('when the tier is unlimited, then no limit applies and no RateLimit headers are sent', async () => {
    const token = await gw.token({ tier: 'unlimited' });
    for (let i = 0; i < 5; i += 1) {
      const res = await post(token, body());
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
  });
});

describe('concurrency', () => {
  it('when a stream is in flight, then a second is refused; when its client vanishes, then the slot is freed', async () => {
    const token = await gw.token({ tier: 'standard' });
    gw.stub.script({ kind: 'chunk-delay', ms: 200 });
    const controller = new AbortController();
    const streaming = await fetch(`${gw.url}v1/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'openai/gpt-stub',
        stream: true,
        messages: [{ role: 'user', content: 'a long one' }],
      }),
      signal: controller.signal,
    });
    expect(streaming.status).toBe(200);
    const refused = await post(token, body());
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /concurren|in flight|at once/i,
    );

    controller.abort(); // the client vanishes mid-stream
    await expect
      .poll(async () => (await post(token, body())).status, { timeout: 10_000, interval: 200 })
      .toBe(200);
  });
});

describe('rate limits on the callables', () => {
  it('when a caller is refused, then the error is resource-exhausted with the retry delay in its details', async () => {
    const clientToken = await gw.token({ tier: 'free' });
    const chat = httpsCallableFromURL(functions, `${gw.url}chatBy-local`);
    const data = { clientToken, model: 'local/echo', messages: [{ role: 'user', content: 'hi' }] };
    for (let i = 0; i < 3; i += 1) await chat(data);
    const error = (await chat(data).catch((e: unknown) => e)) as { code: string; details: unknown };
    expect(error.code).toBe('functions/resource-exhausted');
    const refusal = LimitRefusal.parse(error.details);
    expect(refusal.limit).toBe('requests');
    expect(refusal.retryAfterMs).toBeGreaterThan(0);
  });
});
