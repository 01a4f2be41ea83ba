// Timeouts, estimated usage and input limits against the provider stub, through /v1 and the
// openai SDK, with a gateway configured to be impatient.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { APIError } from 'openai';
import { stubReply } from '@colonycraft/testing';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';

let gw: GatewayFixture;
let client: OpenAI;
let sub: string;

beforeAll(async () => {
  gw = await startGatewayFixture({
    GATEWAY_CONNECT_TIMEOUT_MS: '300',
    GATEWAY_FIRST_TOKEN_TIMEOUT_MS: '600',
    GATEWAY_TOTAL_TIMEOUT_MS: '1500',
    GATEWAY_MAX_RETRIES: '1',
    GATEWAY_MAX_INPUT_CHARS: '1000',
  });
  sub = `reliability-${Date.now()}`;
  client = new OpenAI({
    apiKey: await gw.token({ sub }),
    baseURL: `${gw.url}v1/v1`,
    maxRetries: 0,
  });
});

afterAll(async () => {
  await gw?.stop();
});

beforeEach(() => gw.stub.reset());

const ask = (content: string) => [{ role: 'user' as const, content }];

async function failure(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

describe('timeouts', () => {
  it('when the provider sends no headers within the connect timeout, then each attempt is cut and the caller gets 503', async () => {
    gw.stub.script({ kind: 'latency', ms: 2_000 }, { kind: 'latency', ms: 2_000 });
    const error = await failure(
      client.chat.completions.create({ model: 'openai/gpt-stub', messages: ask('slow') }),
    );
    expect(error.status).toBe(503);
    expect(error.message).toContain('did not answer in time');
    expect(gw.stub.requests).toHaveLength(2);
    await expect.poll(() => gw.stub.requests.every((r) => r.aborted)).toBe(true);
  });

  it('when the first token is slower than its timeout, then the attempt is retried and the retry answers', async () => {
    gw.stub.script({ kind: 'chunk-delay', ms: 1_000 });
    const completion = await client.chat.completions.create({
      model: 'openai/gpt-stub',
      messages: ask('first'),
    });
    expect(completion.choices[0]?.message.content).toBe(stubReply('first'));
    expect(gw.stub.requests).toHaveLength(2);
    expect(gw.stub.requests[0]?.aborted).toBe(true);
  });

  it('when the whole answer takes longer than the total timeout, then the stream ends in an error, not a finish', async () => {
    gw.stub.script({ kind: 'chunk-delay', ms: 250 });
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-stub',
      messages: ask('a rather long question that makes for a long answer'),
      stream: true,
    });
    let text = '';
    let finished = false;
    const error = await (async () => {
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.choices[0]?.finish_reason) finished = true;
      }
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('took longer than 1500 ms');
    expect(finished).toBe(false);
    expect(text.length).toBeGreaterThan(0);
  });
});

describe('usage', () => {
  it('when the provider sends no usage, then tokens are counted locally and the record says estimated', async () => {
    gw.stub.script({ kind: 'no-usage' });
    const counted = `estimated-${Date.now()}`;
    const own = new OpenAI({
      apiKey: await gw.token({ sub: counted }),
      baseURL: `${gw.url}v1/v1`,
      maxRetries: 0,
    });
    const stream = await own.chat.completions.create({
      model: 'openai/gpt-stub',
      messages: ask('count it yourself'),
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage?.completion_tokens).toBeGreaterThan(0);

    const calls = gw.db.collection(`usage/${counted}/calls`);
    await expect
      .poll(
        async () => (await calls.get()).docs.map((d) => [d.data().status, d.data().estimated]),
        {
          timeout: 10_000,
        },
      )
      .toEqual([['ok', true]]);
  });
});

describe('input limits', () => {
  it('when the messages are larger than allowed, then 400 names the field and no provider is called', async () => {
    const error = await failure(
      client.chat.completions.create({
        model: 'openai/gpt-stub',
        messages: ask('x'.repeat(1_001)),
      }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      '400 messages: 1001 characters in all is more than the 1000 allowed',
    );
    expect(gw.stub.requests).toHaveLength(0);
  });
});

describe('provider rate limits', () => {
  it('when the provider still rate-limits after the retries, then the caller gets 429 with its retry delay, capped at a minute', async () => {
    gw.stub.script(
      { kind: 'status', status: 429, retryAfter: 0 },
      { kind: 'status', status: 429, retryAfter: 90 },
    );
    const error = await failure(
      client.chat.completions.create({ model: 'openai/gpt-stub', messages: ask('busy?') }),
    );
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('60');
    expect(error.message).toContain('openai is rate limiting calls');
    expect(gw.stub.requests).toHaveLength(2);
  });
});
