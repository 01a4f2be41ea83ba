// Anthropic's Messages API on /v1/messages through the official @anthropic-ai/sdk, unchanged: a
// three-step agent loop with tools on Anthropic and on OpenAI models (ids and arguments exact
// both ways), the exact sequence of stream events, whole messages with their usage, images,
// and thinking with its signature sent back in a tool loop.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { countStubTokens } from '@colonycraft/testing';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';

let gw: GatewayFixture;
let client: Anthropic;

beforeAll(async () => {
  gw = await startGatewayFixture();
  // The SDK appends /v1/messages to its base URL: the function `v1`, under its /v1 rewrite.
  client = new Anthropic({ apiKey: await gw.token(), baseURL: `${gw.url}v1`, maxRetries: 0 });
});

afterAll(async () => {
  await gw?.stop();
});

beforeEach(() => gw.stub.reset());

const TOOLS: Anthropic.Tool[] = [
  {
    name: 'get_weather',
    description: 'The weather in a city now.',
    input_schema: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city'],
    },
  },
  {
    name: 'get_time',
    description: 'The time in a time zone now.',
    input_schema: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
  },
];

const QUESTION = 'What is the weather in Zürich, and what time is it there?';
// Arguments as a model writes them: odd spacing, escapes and non-ASCII, streamed byte for byte.
const CALLS = [
  {
    id: 'toolu_w1',
    name: 'get_weather',
    arguments: '{"city": "Zürich",  "unit":"c", "q":"\\"x\\""}',
  },
  { id: 'toolu_t2', name: 'get_time', arguments: '{ "tz" : "Europe/Zurich" }' },
];
const RESULTS = ['{"tempC":14,"sky":"sunny 🌤"}', '14:05'];
const ANSWER = 'It is sunny and 14 °C in Zürich, and 14:05.';

/** One streamed turn: the final message, the raw events' types, and each call's raw JSON. */
async function streamTurn(params: Anthropic.MessageStreamParams) {
  const stream = client.messages.stream(params);
  const events: string[] = [];
  const json = new Map<number, string>();
  for await (const event of stream) {
    events.push(event.type === 'content_block_delta' ? event.delta.type : event.type);
    if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta')
      json.set(event.index, (json.get(event.index) ?? '') + event.delta.partial_json);
  }
  return { message: await stream.finalMessage(), events, json: [...json.values()] };
}

describe('a three-step agent loop', () => {
  it.each(['anthropic/claude-stub', 'openai/gpt-stub'])(
    'when %s calls two tools in turn through messages.stream(), then ids and arguments are exact both ways and it ends in text',
    async (model) => {
      gw.stub.reply(
        { text: '', toolCalls: [CALLS[0]!] },
        { text: '', toolCalls: [CALLS[1]!] },
        { text: ANSWER },
      );
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: QUESTION }];
      for (const [i, call] of CALLS.entries()) {
        const turn = await streamTurn({ model, max_tokens: 1024, messages, tools: TOOLS });
        expect(turn.json).toEqual([call.arguments]);
        expect(turn.message).toMatchObject({
          role: 'assistant',
          model,
          stop_reason: 'tool_use',
          stop_sequence: null,
          content: [
            { type: 'tool_use', id: call.id, name: call.name, input: JSON.parse(call.arguments) },
          ],
        });
        messages.push(
          { role: 'assistant', content: turn.message.content },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: call.id, content: RESULTS[i]! }],
          },
        );
      }
      const last = await streamTurn({ model, max_tokens: 1024, messages, tools: TOOLS });
      expect(last.message).toMatchObject({
        stop_reason: 'end_turn',
        content: [{ type: 'text', text: ANSWER }],
      });
      expect(gw.stub.requests.map((r) => r.status)).toEqual([200, 200, 200]);

      // What the upstream got at the third step, in its own format: the earlier calls' input
      // is the object the client sent, so its arguments are JSON.stringify of it.
      const third = gw.stub.requests[2]!.body as { messages: unknown };
      if (model.startsWith('anthropic/')) {
        expect(third.messages).toEqual([
          { role: 'user', content: QUESTION },
          ...CALLS.flatMap((call, i) => [
            {
              role: 'assistant',
              content: [
                {
                  type: 'tool_use',
                  id: call.id,
                  name: call.name,
                  input: JSON.parse(call.arguments),
                },
              ],
            },
            {
              role: 'user',
              content: [{ type: 'tool_result', tool_use_id: call.id, content: RESULTS[i] }],
            },
          ]),
        ]);
      } else {
        expect(third.messages).toEqual([
          { role: 'user', content: QUESTION },
          ...CALLS.flatMap((call, i) => [
            {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: call.id,
                  type: 'function',
                  function: {
                    name: call.name,
                    arguments: JSON.stringify(JSON.parse(call.arguments)),
                  },
                },
              ],
            },
            { role: 'tool', tool_call_id: call.id, content: RESULTS[i] },
          ]),
        ]);
      }
    },
  );
});

describe('the stream', () => {
  it.each(['anthropic/claude-stub', 'openai/gpt-stub'])(
    'when %s answers text then two tool calls, then the events come in Anthropic order with the real usage in message_delta',
    async (model) => {
      gw.stub.reply({ text: 'Looking.', toolCalls: CALLS });
      const turn = await streamTurn({
        model,
        max_tokens: 1024,
        messages: [{ role: 'user', content: QUESTION }],
        tools: TOOLS,
      });
      const fragments = (args: string) =>
        Array.from({ length: Math.ceil(Array.from(args).length / 6) }, () => 'input_json_delta');
      expect(turn.events).toEqual([
        'message_start',
        'content_block_start',
        'text_delta',
        'content_block_stop',
        ...CALLS.flatMap((c) => [
          'content_block_start',
          ...fragments(c.arguments),
          'content_block_stop',
        ]),
        'message_delta',
        'message_stop',
      ]);
      expect(turn.json).toEqual(CALLS.map((c) => c.arguments));
      const output = countStubTokens(['Looking.', ...CALLS.map((c) => c.arguments)].join('\n'));
      expect(turn.message.usage).toMatchObject({
        input_tokens: countStubTokens(QUESTION),
        output_tokens: output,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      });
      expect(turn.message.content.map((b) => b.type)).toEqual(['text', 'tool_use', 'tool_use']);
    },
  );

  it('when the first answer is slower than the ping interval, then the stream opens with message_start and pings until it comes', async () => {
    gw.stub.script({ kind: 'latency', ms: 10_600 });
    const res = await fetch(`${gw.url}v1/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': await gw.token(), 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'anthropic/claude-stub',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'Take your time' }],
      }),
    });
    expect(res.status).toBe(200);
    const names = [...(await res.text()).matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names.slice(0, 4)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
    ]);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(names.filter((n) => n === 'message_start')).toHaveLength(1);
  }, 20_000);

  it('when the answer is cut by max_tokens on an OpenAI model, then the stop reason is max_tokens', async () => {
    const turn = await streamTurn({
      model: 'openai/gpt-stub',
      max_tokens: 3,
      messages: [{ role: 'user', content: 'Say many words' }],
    });
    expect(turn.message.stop_reason).toBe('max_tokens');
    expect(turn.message.usage.output_tokens).toBe(3);
  });
});

describe('a whole message', () => {
  it('when Anthropic reports cache reads and writes, then input_tokens leaves them out and each has its own field', async () => {
    gw.stub.reply({ text: 'Cached.', usage: { cachedInputTokens: 2000, cacheWriteTokens: 500 } });
    const message = await client.messages.create({
      model: 'anthropic/claude-stub',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: 'Count my cache' }],
    });
    expect(message).toEqual({
      id: expect.stringMatching(/^msg_\w+$/) as unknown,
      type: 'message',
      role: 'assistant',
      model: 'anthropic/claude-stub',
      content: [{ type: 'text', text: 'Cached.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: countStubTokens('Be brief.\nCount my cache'),
        output_tokens: 1,
        cache_creation_input_tokens: 500,
        cache_read_input_tokens: 2000,
      },
    });
    expect(gw.stub.requests[0]?.body).toMatchObject({ system: 'Be brief.' });
  });

  it('when the request carries stop sequences, sampling and metadata, then the stop sequences reach the upstream and the rest is accepted', async () => {
    // Sampling settings are gone from this SDK's request types, but older clients send them.
    const params = {
      model: 'openai/gpt-stub',
      max_tokens: 100,
      stop_sequences: ['You said'],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      metadata: { user_id: 'u-1' },
      messages: [{ role: 'user', content: 'Hi' }],
    } as Anthropic.MessageCreateParamsNonStreaming;
    const message = await client.messages.create(params);
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the stub. ' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(gw.stub.requests[0]?.body).toMatchObject({
      stop: ['You said'],
      temperature: 0.5,
      top_p: 0.9,
    });
  });

  it('when the client sends anthropic-beta, then it reaches an Anthropic model as it came, and no other provider', async () => {
    const params = {
      max_tokens: 50,
      messages: [{ role: 'user' as const, content: 'Hi' }],
    };
    const headers = {
      'anthropic-beta': 'token-efficient-tools-2025-02-19, interleaved-thinking-2025-05-14',
    };
    await client.messages.create({ ...params, model: 'anthropic/claude-stub' }, { headers });
    await client.messages.create({ ...params, model: 'openai/gpt-stub' }, { headers });
    expect(gw.stub.requests[0]?.headers['anthropic-beta']).toBe(
      'token-efficient-tools-2025-02-19,interleaved-thinking-2025-05-14',
    );
    expect(gw.stub.requests[1]?.headers['anthropic-beta']).toBeUndefined();
  });

  it('when a stop sequence ends an Anthropic answer, then the stop reason names it, whole and streamed', async () => {
    const params = {
      model: 'anthropic/claude-stub',
      max_tokens: 100,
      stop_sequences: ['You said'],
      messages: [{ role: 'user' as const, content: 'Hi' }],
    };
    const message = await client.messages.create(params);
    expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'You said' });
    const streamed = await client.messages.stream(params).finalMessage();
    expect(streamed).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'You said' });
  });
});

// A 1×1 PNG.
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const HTTPS_IMAGE = 'https://images.example.test/cat.webp';

describe('an image question', () => {
  it('when a base64 and a URL image are asked about, then each format gets both in its own blocks', async () => {
    const content: Anthropic.ContentBlockParam[] = [
      { type: 'text', text: 'What is in these pictures?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'image', source: { type: 'url', url: HTTPS_IMAGE } },
    ];
    for (const model of ['anthropic/claude-stub', 'openai/gpt-stub']) {
      const message = await client.messages.create({
        model,
        max_tokens: 100,
        messages: [{ role: 'user', content }],
      });
      expect(message.content[0]).toMatchObject({ type: 'text' });
    }
    const [anthropic, openai] = gw.stub.requests.map(
      (r) => (r.body as { messages: { content: unknown }[] }).messages[0]?.content,
    );
    expect(anthropic).toEqual(content);
    expect(openai).toEqual([
      { type: 'text', text: 'What is in these pictures?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
      { type: 'image_url', image_url: { url: HTTPS_IMAGE } },
    ]);
  });
});

describe('thinking', () => {
  const REASONING = 'The user wants the weather. I will call the tool.';

  it('when Claude thinks before a tool call, then the thinking streams with its signature and goes back signed in the next turn', async () => {
    gw.stub.reply(
      { reasoning: REASONING, text: '', toolCalls: [CALLS[0]!] },
      { reasoning: 'Done.', text: ANSWER },
    );
    const ask = {
      model: 'anthropic/claude-stub',
      max_tokens: 4096,
      thinking: { type: 'enabled' as const, budget_tokens: 2048 },
      tools: TOOLS,
    };
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: QUESTION }];
    const first = await streamTurn({ ...ask, messages });
    expect(first.events.slice(0, 4)).toEqual([
      'message_start',
      'content_block_start',
      'thinking_delta',
      'thinking_delta',
    ]);
    expect(first.events).toContain('signature_delta');
    const [thinking, call] = first.message.content;
    expect(thinking).toMatchObject({ type: 'thinking', thinking: REASONING });
    const signature = (thinking as Anthropic.ThinkingBlock).signature;
    expect(signature).not.toBe('');
    expect(call).toMatchObject({ type: 'tool_use', id: CALLS[0]!.id });
    expect(gw.stub.requests[0]?.body).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });

    messages.push(
      { role: 'assistant', content: first.message.content },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: CALLS[0]!.id, content: RESULTS[0]! }],
      },
    );
    const second = await client.messages.create({ ...ask, messages });
    expect(second.content).toEqual([
      { type: 'thinking', thinking: 'Done.', signature: expect.any(String) as unknown },
      { type: 'text', text: ANSWER },
    ]);
    const sent = gw.stub.requests[1]?.body as {
      messages: { content: unknown }[];
      thinking: unknown;
    };
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(sent.messages[1]?.content).toEqual([
      { type: 'thinking', thinking: REASONING, signature },
      {
        type: 'tool_use',
        id: CALLS[0]!.id,
        name: CALLS[0]!.name,
        input: JSON.parse(CALLS[0]!.arguments),
      },
    ]);
  });

  it('when adaptive thinking is asked of Claude, then it thinks within the medium budget, capped below max_tokens', async () => {
    gw.stub.reply({ reasoning: 'Hmm.', text: 'Paris.' });
    const message = await client.messages.create({
      model: 'anthropic/claude-stub',
      max_tokens: 4096,
      thinking: { type: 'adaptive' },
      messages: [{ role: 'user', content: 'Capital of France?' }],
    });
    expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(gw.stub.requests[0]?.body).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: 4095 },
    });
  });

  it('when an OpenAI reasoning model is given a thinking budget, then it is asked for the nearest effort', async () => {
    gw.stub.reply({ reasoning: 'Easy.', text: 'Paris.' });
    const message = await client.messages.create({
      model: 'openai/gpt-stub-mini',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'Capital of France?' }],
    });
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Easy.', signature: '' },
      { type: 'text', text: 'Paris.' },
    ]);
    expect(gw.stub.requests[0]?.body).toMatchObject({ reasoning_effort: 'low' });
  });
});
