// Usage and cost on /v1/chat/completions through the official openai SDK, unchanged: cache and
// reasoning tokens reach the include_usage chunk and the ledger, priced at the catalog's cache
// prices, and a stream cut inside a tool call's arguments is still recorded.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { APIError } from 'openai';
import { countStubTokens } from '@colonycraft/testing';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';
import { usageDay } from '../usage/usage-ledger.js';

let gw: GatewayFixture;

beforeAll(async () => {
  gw = await startGatewayFixture();
});

afterAll(async () => {
  await gw?.stop();
});

beforeEach(() => gw.stub.reset());

/** A client of its own principal, so its usage records are only this test's. */
async function caller() {
  const sub = `usage-${randomUUID()}`;
  const apiKey = await gw.token({ sub });
  return { sub, client: new OpenAI({ apiKey, baseURL: `${gw.url}v1/v1`, maxRetries: 0 }) };
}

async function recordsOf(sub: string) {
  return (await gw.db.collection(`usage/${sub}/calls`).get()).docs.map((d) => d.data());
}

/** The include_usage chunk's usage, and the text, of a streamed answer. */
async function streamedUsage(client: OpenAI, model: string, question: string) {
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: question }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let usage: OpenAI.CompletionUsage | undefined;
  let text = '';
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    usage = chunk.usage ?? usage;
  }
  return { usage, text };
}

// The fixture's prices, in USD per million tokens.
const GPT_STUB = { input: 1, cachedInput: 0.5, output: 2 };
const CLAUDE_STUB = { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 };

describe('usage and cost', () => {
  it('when OpenAI reports cached and reasoning tokens, then the usage chunk and the record carry them, priced at the cache price', async () => {
    const { sub, client } = await caller();
    const question = 'Count my cached tokens please';
    const text = 'Cached answer here.';
    gw.stub.reply({ text, usage: { cachedInputTokens: 1200, reasoningTokens: 40 } });
    const { usage } = await streamedUsage(client, 'openai/gpt-stub', question);

    const input = countStubTokens(question) + 1200;
    const output = countStubTokens(text) + 40;
    expect(usage).toEqual({
      prompt_tokens: input,
      completion_tokens: output,
      total_tokens: input + output,
      prompt_tokens_details: { cached_tokens: 1200 },
      completion_tokens_details: { reasoning_tokens: 40 },
    });
    const cost =
      ((input - 1200) * GPT_STUB.input + 1200 * GPT_STUB.cachedInput + output * GPT_STUB.output) /
      1e6;
    const [record, ...others] = await recordsOf(sub);
    expect(others).toHaveLength(0);
    expect(record).toMatchObject({
      model: 'openai/gpt-stub',
      inputTokens: input,
      outputTokens: output,
      cachedInputTokens: 1200,
      reasoningTokens: 40,
      estimated: false,
      status: 'ok',
    });
    expect(record?.cacheWriteTokens).toBeUndefined();
    expect(record?.costUsd).toBeCloseTo(cost, 12);
  });

  it('when Anthropic reports cache reads and writes, then the input holds both, each priced at its own price, in the record and the day', async () => {
    const { sub, client } = await caller();
    const question = 'Count my cache writes please';
    const text = 'Written to the cache.';
    gw.stub.reply({ text, usage: { cachedInputTokens: 2000, cacheWriteTokens: 500 } });
    const { usage } = await streamedUsage(client, 'anthropic/claude-stub', question);

    const uncached = countStubTokens(question);
    const input = uncached + 2000 + 500;
    const output = countStubTokens(text);
    expect(usage).toEqual({
      prompt_tokens: input,
      completion_tokens: output,
      total_tokens: input + output,
      prompt_tokens_details: { cached_tokens: 2000 },
    });
    const cost =
      (uncached * CLAUDE_STUB.input +
        2000 * CLAUDE_STUB.cachedInput +
        500 * CLAUDE_STUB.cacheWrite +
        output * CLAUDE_STUB.output) /
      1e6;
    const [record] = await recordsOf(sub);
    expect(record).toMatchObject({
      model: 'anthropic/claude-stub',
      inputTokens: input,
      outputTokens: output,
      cachedInputTokens: 2000,
      cacheWriteTokens: 500,
      estimated: false,
      status: 'ok',
    });
    expect(record?.costUsd).toBeCloseTo(cost, 12);
    const shards = await gw.db.collection(`usage/${sub}/days/${usageDay(Date.now())}/shards`).get();
    const day = shards.docs.map((d) => d.data());
    const sum = (field: string) => day.reduce((n, d) => n + ((d[field] as number) ?? 0), 0);
    expect([sum('calls'), sum('cachedInputTokens'), sum('cacheWriteTokens')]).toEqual([
      1, 2000, 500,
    ]);
    expect(sum('costUsd')).toBeCloseTo(cost, 12);
  });
});

describe('a stream cut inside a tool call', () => {
  const TOOL: OpenAI.ChatCompletionFunctionTool = {
    type: 'function',
    function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
  };
  const CALL = { id: 'call_cut', name: 'get_weather', arguments: '{"city":"Zürich","days":3}' };
  const params = (model: string) => ({
    model,
    messages: [{ role: 'user' as const, content: 'Weather for three days?' }],
    tools: [TOOL],
  });

  it('when OpenAI cuts the arguments, then the stream helper throws and the call is recorded incomplete, estimated', async () => {
    const { sub, client } = await caller();
    gw.stub.reply({ text: '', toolCalls: [CALL] });
    gw.stub.script({ kind: 'cut', afterChunks: 2 });
    const stream = client.chat.completions.stream(params('openai/gpt-stub'));
    const error = await stream.finalChatCompletion().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(APIError);
    expect(await recordsOf(sub)).toEqual([
      expect.objectContaining({
        status: 'incomplete',
        estimated: true,
        inputTokens: expect.any(Number),
        outputTokens: expect.any(Number),
        costUsd: expect.any(Number),
      }),
    ]);
    const [record] = await recordsOf(sub);
    expect(record?.outputTokens).toBeGreaterThan(0);
    expect(record?.costUsd).toBeGreaterThan(0);
  });

  it('when Anthropic cuts the input_json_delta, then the SDK iterator throws after the partial arguments and the call is recorded incomplete', async () => {
    const { sub, client } = await caller();
    gw.stub.reply({ text: '', toolCalls: [CALL] });
    gw.stub.script({ kind: 'cut', afterChunks: 2 });
    let args = '';
    const stream = await client.chat.completions.create({
      ...params('anthropic/claude-stub'),
      stream: true,
    });
    const error = await (async () => {
      for await (const chunk of stream)
        for (const call of chunk.choices[0]?.delta.tool_calls ?? [])
          args += call.function?.arguments ?? '';
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(APIError);
    expect(args.length).toBeGreaterThan(0);
    expect(CALL.arguments.startsWith(args) && args !== CALL.arguments).toBe(true);
    const [record] = await recordsOf(sub);
    expect(record).toMatchObject({ status: 'incomplete', estimated: true });
    expect(record?.outputTokens).toBeGreaterThan(0);
  });
});

describe('the gateway own time (x-colonycraft-overhead-ms)', () => {
  const PROVIDER_MS = 300;

  it.each([
    ['a whole completion', '/v1/chat/completions', false],
    ['a streamed completion', '/v1/chat/completions', true],
    ['a whole message', '/v1/messages', false],
    ['a streamed message', '/v1/messages', true],
  ])(
    'when %s waits for a slow provider, then the header leaves the provider time out',
    async (_, path, stream) => {
      const messages = path === '/v1/messages';
      gw.stub.script({ kind: 'latency', ms: PROVIDER_MS });
      const { client } = await caller();
      const asked = performance.now();
      const res = await fetch(`${gw.url}v1${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: messages ? 'anthropic/claude-stub' : 'openai/gpt-stub',
          max_tokens: 20,
          stream,
          messages: [{ role: 'user', content: 'hello' }],
        }),
      });
      await res.text();
      const elapsed = performance.now() - asked;
      expect(res.status).toBe(200);
      const overhead = Number(res.headers.get('x-colonycraft-overhead-ms'));
      // Measured by the gateway, which waited PROVIDER_MS of the client's time for the stub.
      expect(overhead).toBeGreaterThan(0);
      expect(overhead).toBeLessThan(elapsed - PROVIDER_MS);
    },
  );
});
