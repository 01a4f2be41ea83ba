// The OpenAI-compatible API through the official openai SDK, unchanged, against the gateway
// hosted as on Cloud Run with the provider stub upstream.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { APIError } from 'openai';
import { stubReply } from '@colonycraft/testing';
import { startGatewayFixture, STUB_KEY, type GatewayFixture } from '../dev/gateway-fixture.js';
import { usageDay } from '../usage/usage-ledger.js';

let gw: GatewayFixture;
let token: string;
let sub: string;
let client: OpenAI;

beforeAll(async () => {
  gw = await startGatewayFixture();
  sub = `v1-user-${Date.now()}`;
  token = await gw.token({ sub });
  client = new OpenAI({ apiKey: token, baseURL: `${gw.url}v1/v1`, maxRetries: 0 });
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

describe('POST /v1/chat/completions', () => {
  it('when asked without streaming, then the SDK gets a completion with usage from the model that answered', async () => {
    const completion = await client.chat.completions.create({
      model: 'openai/gpt-stub',
      messages: ask('Hello stub'),
    });
    expect(completion.choices[0]?.message.content).toBe(stubReply('Hello stub'));
    expect(completion.model).toBe('openai/gpt-stub');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    // The provider got ColonyCraft's key, never the caller's token.
    expect(gw.stub.requests[0]?.headers.authorization).toBe(`Bearer ${STUB_KEY}`);
    // Asked for no maximum, the call goes out with the one its budget reservation assumed.
    expect(gw.stub.requests[0]?.body).toMatchObject({ max_completion_tokens: 4096 });
  });

  it('when streamed with include_usage, then the chunks add up to the answer and the last one carries usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-stub',
      messages: ask('Stream please'),
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(stubReply('Stream please'));
    expect(chunks).toBeGreaterThan(4);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
    });
  });

  it('when the keyless local model is asked, then it answers too', async () => {
    const completion = await client.chat.completions.create({
      model: 'local/echo',
      messages: ask('hi'),
    });
    expect(completion.choices[0]?.message.content).toBe(
      "Hello from ColonyCraft's local model. You said: hi",
    );
  });

  it('when the messages are empty, then the SDK gets a 400 naming the field', async () => {
    const error = await failure(
      client.chat.completions.create({ model: 'openai/gpt-stub', messages: [] }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toContain('messages: must hold at least one message');
    expect((error.error as { param?: string }).param).toBe('messages');
    expect(gw.stub.requests).toHaveLength(0);
  });

  it('when the request asks for log probabilities, audio or several choices, then the 400 names the field instead of answering in prose', async () => {
    const asked: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>[] = [
      { logprobs: true },
      { n: 2 },
      { audio: { voice: 'alloy', format: 'mp3' } },
    ];
    for (const extra of asked) {
      const error = await failure(
        client.chat.completions.create({ model: 'local/echo', messages: ask('x'), ...extra }),
      );
      expect(error.status).toBe(400);
      expect((error.error as { param?: string }).param).toBe(Object.keys(extra)[0]);
    }
    // Their neutral values, and tuning that is not passed on, are accepted.
    const completion = await client.chat.completions.create({
      model: 'local/echo',
      messages: ask('hi'),
      tools: [],
      response_format: { type: 'text' },
      logprobs: false,
      seed: 7,
      presence_penalty: 0.5,
    });
    expect(completion.choices[0]?.message.content).toContain('You said: hi');
  });

  it('when a model lacks what the request asks for (tools, JSON), then the 400 names the capability and the model, and no provider is called', async () => {
    const asked: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>[] = [
      { tools: [{ type: 'function', function: { name: 'lookup', parameters: {} } }] },
      { response_format: { type: 'json_object' } },
    ];
    for (const [extra, capability] of [
      [asked[0], 'tools'],
      [asked[1], 'json-schema'],
    ] as const) {
      const error = await failure(
        client.chat.completions.create({ model: 'local/echo', messages: ask('x'), ...extra }),
      );
      expect(error.status).toBe(400);
      expect((error.error as { param?: string }).param).toBe('model');
      expect(error.message).toContain(`"local/echo" does not support ${capability}`);
    }
    const error = await failure(
      client.chat.completions.create({
        model: 'openai/gpt-stub',
        messages: ask('x'),
        reasoning_effort: 'low',
      }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toContain('"openai/gpt-stub" does not support reasoning');
    expect(gw.stub.requests).toHaveLength(0);
  });

  it('when the model is unknown, then the 400 names the model and no provider is called', async () => {
    const error = await failure(
      client.chat.completions.create({ model: 'openai/gpt-nope', messages: ask('x') }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toContain('"openai/gpt-nope" is not a model here');
  });

  it('when no credential or a forged one is sent, then the SDK gets a 401', async () => {
    const forged = new OpenAI({ apiKey: 'not-a-token', baseURL: `${gw.url}v1/v1`, maxRetries: 0 });
    expect(
      (await failure(forged.chat.completions.create({ model: 'local/echo', messages: ask('x') })))
        .status,
    ).toBe(401);
    const res = await fetch(`${gw.url}v1/v1/models`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe(
      'authentication_error',
    );
  });

  it('when the provider answers 503 twice, then the gateway retries and the caller sees only the answer', async () => {
    gw.stub.script({ kind: 'status', status: 503, retryAfter: 0 }, { kind: 'status', status: 503 });
    const completion = await client.chat.completions.create({
      model: 'openai/gpt-stub',
      messages: ask('again'),
    });
    expect(completion.choices[0]?.message.content).toBe(stubReply('again'));
    expect(gw.stub.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('when the first model of an alias keeps failing, then the next one answers', async () => {
    gw.stub.script(
      { kind: 'status', status: 500 },
      { kind: 'status', status: 500 },
      { kind: 'status', status: 500 },
    );
    const completion = await client.chat.completions.create({
      model: 'smart',
      messages: ask('fallback'),
    });
    expect(completion.model).toBe('openai/gpt-stub');
    expect(gw.stub.requests.map((r) => `${r.provider}:${r.status}`)).toEqual([
      'anthropic:500',
      'anthropic:500',
      'anthropic:500',
      'openai:200',
    ]);
  });

  it('when the provider refuses the request, then its 4xx passes through naming it, with no key in it', async () => {
    gw.stub.script({ kind: 'status', status: 400, message: 'temperature is out of range' });
    const error = await failure(
      client.chat.completions.create({ model: 'openai/gpt-stub', messages: ask('x') }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toContain('openai');
    expect(error.message).toContain('temperature is out of range');
    expect(JSON.stringify(error.error)).not.toContain(STUB_KEY);
    expect(gw.stub.requests).toHaveLength(1);
  });

  it('when the stream is cut mid-answer, then the SDK iterator throws instead of finishing cleanly', async () => {
    gw.stub.script({ kind: 'cut', afterChunks: 2 });
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-stub',
      messages: ask('cut me'),
      stream: true,
    });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(APIError);
    expect(text.length).toBeGreaterThan(0);
    expect(stubReply('cut me').startsWith(text)).toBe(true);
    expect(text).not.toBe(stubReply('cut me'));
    expect(gw.stub.requests).toHaveLength(1); // no retry once bytes reached the client
  });

  it('when the client stops reading mid-stream, then the upstream request is cancelled', async () => {
    gw.stub.script({ kind: 'chunk-delay', ms: 100 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'openai/gpt-stub', messages: ask('a long answer please'), stream: true },
      { signal: controller.signal },
    );
    await (async () => {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) controller.abort();
    })().catch(() => undefined);
    await expect.poll(() => gw.stub.requests[0]?.aborted, { timeout: 10_000 }).toBe(true);
  });

  it('records one usage record per call and the day aggregate', async () => {
    const shards = gw.db.collection(`usage/${sub}/days/${usageDay(Date.now())}/shards`);
    const calls = async () =>
      (await shards.get()).docs.reduce((sum, shard) => sum + (shard.get('calls') as number), 0);
    const before = await calls();
    await client.chat.completions.create({ model: 'openai/gpt-stub', messages: ask('count me') });
    await expect.poll(calls, { timeout: 10_000 }).toBe(before + 1);
  });
});

describe('GET /v1/models and the rest', () => {
  it('lists every configured model and the aliases', async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(
      expect.arrayContaining(['local/echo', 'openai/gpt-stub', 'anthropic/claude-stub', 'smart']),
    );
    const listed = (await client.models.list()).data as unknown as {
      id: string;
      capabilities?: string[];
    }[];
    expect(listed.find((m) => m.id === 'local/echo')?.capabilities).toEqual([]);
    const model = await client.models.retrieve('openai/gpt-stub-mini');
    expect(model).toMatchObject({
      id: 'openai/gpt-stub-mini',
      owned_by: 'openai',
      capabilities: ['tools', 'vision', 'json-schema', 'reasoning'],
    });
    const missing = await failure(client.models.retrieve('openai/nope'));
    expect(missing.status).toBe(404);
  });

  it('answers an unknown route with 404 in OpenAI shape', async () => {
    const res = await fetch(`${gw.url}v1/v1/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
  });

  it('answers CORS preflight for configured origins only, and sets the security headers', async () => {
    const allowed = await fetch(`${gw.url}v1/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example.test', 'access-control-request-method': 'POST' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://app.example.test');
    const other = await fetch(`${gw.url}v1/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example.test', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(allowed.headers.get('x-content-type-options')).toBe('nosniff');
    expect(allowed.headers.get('cache-control')).toBe('no-store');
  });
});
