// Failures, auth, count_tokens and the ledger on /v1/messages through the official
// @anthropic-ai/sdk, unchanged: every refusal in Anthropic's error shape with its status (bad
// input naming the field before any provider is called, a missing key, an upstream still
// rate-limiting after the gateway's retries), a failure after the first byte as an `error`
// event, and the answer's usage in the caller's usage record.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Anthropic, {
  APIError,
  AuthenticationError,
  BadRequestError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import { countStubTokens } from '@colonycraft/testing';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';

let gw: GatewayFixture;
let client: Anthropic;

beforeAll(async () => {
  gw = await startGatewayFixture();
  client = new Anthropic({ apiKey: await gw.token(), baseURL: `${gw.url}v1`, maxRetries: 0 });
});

afterAll(async () => {
  await gw?.stop();
});

beforeEach(() => gw.stub.reset());

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as APIError,
  );

/** A raw POST, for bodies the SDK's types would not let through. */
async function post(body: unknown, path = 'messages') {
  const res = await fetch(`${gw.url}v1/v1/${path}`, {
    method: 'POST',
    headers: { 'x-api-key': await gw.token(), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const ASK = {
  model: 'anthropic/claude-stub',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: 'Hi' }],
};

describe('bad input', () => {
  it.each([
    ['max_tokens is missing', { ...ASK, max_tokens: undefined }, 'max_tokens: '],
    [
      'a tool_result answers no tool_use',
      {
        ...ASK,
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Here:' },
              { type: 'tool_result', tool_use_id: 'toolu_nowhere', content: '42' },
            ],
          },
        ],
      },
      'messages.2.content.1.tool_use_id: answers no tool call',
    ],
    [
      'a block type is not supported',
      {
        ...ASK,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Read this' },
              { type: 'document', source: { type: 'text', data: 'x' } },
            ],
          },
        ],
      },
      'messages.0.content.1.type: "document" blocks are not supported in a user turn',
    ],
    [
      'an image is not https',
      {
        ...ASK,
        system: 'Look.',
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'url', url: 'http://x.test/a.png' } }],
          },
        ],
      },
      'messages.0.content.0.source.url: must be an https URL',
    ],
    [
      // Checked once the call is admitted, on the unified request, whose first message is the
      // system prompt: the 400 still names the block as the request has it.
      'there are more images than allowed',
      {
        ...ASK,
        system: 'Look.',
        messages: [
          {
            role: 'user',
            content: Array.from({ length: 21 }, () => ({
              type: 'image',
              source: { type: 'url', url: 'https://x.test/a.png' },
            })),
          },
        ],
      },
      'messages.0.content.20: more than the 20 images',
    ],
    [
      'a tool schema is not an object',
      {
        ...ASK,
        tools: [{ name: 'f', input_schema: { type: 'string' } }],
      },
      'tools.0.input_schema.type: ',
    ],
  ])(
    'when %s, then the 400 is invalid_request_error naming the field, and no provider is called',
    async (_, body, named) => {
      const { status, body: error } = await post(body);
      expect(status).toBe(400);
      expect(error).toEqual({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: expect.stringContaining(named) as unknown,
        },
      });
      expect(gw.stub.requests).toHaveLength(0);
    },
  );

  it('when the SDK sends a request without max_tokens, then it raises BadRequestError', async () => {
    const error = await failure(
      client.messages.create({ ...ASK, max_tokens: undefined as unknown as number }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.error).toMatchObject({ error: { type: 'invalid_request_error' } });
  });
});

describe('auth', () => {
  it("when no key is sent, then the SDK raises AuthenticationError in Anthropic's shape", async () => {
    const res = await fetch(`${gw.url}v1/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(ASK),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });
    const error = await failure(
      new Anthropic({
        apiKey: 'not-a-token',
        baseURL: `${gw.url}v1`,
        maxRetries: 0,
      }).messages.create(ASK),
    );
    expect(error).toBeInstanceOf(AuthenticationError);
  });

  it("when the token is sent as a Bearer (the SDK's authToken), then the call is answered", async () => {
    const bearer = new Anthropic({
      authToken: await gw.token(),
      apiKey: null,
      baseURL: `${gw.url}v1`,
      maxRetries: 0,
    });
    const message = await bearer.messages.create(ASK);
    expect(message.content[0]).toMatchObject({ type: 'text' });
  });

  it('when the token does not allow the model, then the SDK gets a 403 permission_error', async () => {
    const limited = new Anthropic({
      apiKey: await gw.token({ models: ['openai/gpt-stub'] }),
      baseURL: `${gw.url}v1`,
      maxRetries: 0,
    });
    const error = await failure(limited.messages.create(ASK));
    expect(error.status).toBe(403);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
  });
});

describe('upstream failures', () => {
  it("when the upstream keeps answering 429 through the gateway's retries, then the SDK raises RateLimitError with the provider's retry delay", async () => {
    // The first attempt and the fixture's two retries.
    const limited = { kind: 'status', status: 429, retryAfter: 0 } as const;
    // The last answer's delay is not waited for (no retry is left): the client is told it.
    gw.stub.script(limited, limited, { ...limited, retryAfter: 3 });
    const error = await failure(client.messages.create(ASK));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(error.headers?.get('retry-after')).toBe('3');
    expect(gw.stub.requests).toHaveLength(3);
  });

  it('when the upstream is overloaded through the retries, then the SDK gets a 529 overloaded_error', async () => {
    const overloaded = { kind: 'status', status: 529 } as const;
    gw.stub.script(overloaded, overloaded, overloaded);
    const error = await failure(client.messages.create(ASK));
    expect(error.status).toBe(529);
    expect(error.error).toMatchObject({ error: { type: 'overloaded_error' } });
  });

  it('when the stream fails after its first byte, then an error event ends it and the SDK raises it', async () => {
    gw.stub.script({ kind: 'error-event', afterChunks: 2 });
    const stream = client.messages.stream(ASK);
    const seen: string[] = [];
    stream.on('streamEvent', (event) => seen.push(event.type));
    const error = await failure(stream.finalMessage());
    expect(error).toBeInstanceOf(APIError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(seen.slice(0, 3)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
    ]);
    expect(seen).not.toContain('message_stop');
  });
});

describe('count_tokens', () => {
  it('when a request is counted, then the estimate comes back and no provider is called', async () => {
    const counted = await client.messages.countTokens({
      model: 'anthropic/claude-stub',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'How many tokens is this question?' }],
    });
    expect(counted.input_tokens).toBeGreaterThan(5);
    expect(counted.input_tokens).toBeLessThan(40);
    expect(gw.stub.requests).toHaveLength(0);
  });

  it('when the request is malformed, then the 400 names the field', async () => {
    const { status, body } = await post(
      { model: 'anthropic/claude-stub' },
      'messages/count_tokens',
    );
    expect(status).toBe(400);
    expect(body).toMatchObject({
      error: { message: expect.stringContaining('messages: ') as unknown },
    });
  });

  it('when the model is unknown, then it is refused as /v1/messages would refuse it', async () => {
    const { status, body } = await post(
      { model: 'anthropic/nope', messages: [{ role: 'user', content: 'x' }] },
      'messages/count_tokens',
    );
    expect(status).toBe(400);
    expect(body).toMatchObject({
      error: {
        type: 'invalid_request_error',
        message: expect.stringContaining('model: ') as unknown,
      },
    });
  });
});

describe('the ledger', () => {
  it("when a streamed answer ends, then its usage is in the caller's usage record", async () => {
    const sub = `messages-${randomUUID()}`;
    const own = new Anthropic({
      apiKey: await gw.token({ sub }),
      baseURL: `${gw.url}v1`,
      maxRetries: 0,
    });
    gw.stub.reply({ text: 'Recorded.', usage: { cachedInputTokens: 20 } });
    const message = await own.messages
      .stream({ ...ASK, messages: [{ role: 'user', content: 'Record this' }] })
      .finalMessage();
    const uncached = countStubTokens('Record this');
    expect(message.usage).toMatchObject({
      input_tokens: uncached,
      output_tokens: 1,
      cache_read_input_tokens: 20,
    });
    const records = (await gw.db.collection(`usage/${sub}/calls`).get()).docs.map((d) => d.data());
    expect(records).toEqual([
      expect.objectContaining({
        model: 'anthropic/claude-stub',
        inputTokens: uncached + 20,
        outputTokens: 1,
        cachedInputTokens: 20,
        estimated: false,
        status: 'ok',
      }),
    ]);
  });
});
