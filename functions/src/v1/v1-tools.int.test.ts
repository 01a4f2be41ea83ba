// Tools and structured output on /v1/chat/completions through the official openai SDK,
// unchanged: agent loops on each wire format (ids and arguments exact, end to end), parallel
// calls, `parse` with a zod schema, and the 400s for tool use that cannot be right.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { APIError } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';

let gw: GatewayFixture;
let client: OpenAI;

beforeAll(async () => {
  gw = await startGatewayFixture();
  client = new OpenAI({ apiKey: await gw.token(), baseURL: `${gw.url}v1/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await gw?.stop();
});

beforeEach(() => gw.stub.reset());

type Message = OpenAI.ChatCompletionMessageParam;
interface Call {
  id: string;
  name: string;
  arguments: string;
}
interface Turn {
  content: string | null;
  calls: Call[];
  finish: string | null | undefined;
}

const TOOLS: OpenAI.ChatCompletionFunctionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The weather in a city now.',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
        required: ['city'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_time',
      description: 'The time in a time zone now.',
      parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
    },
  },
];

const QUESTION = 'What is the weather in Zürich, and what time is it there?';
// Arguments as a model writes them: odd spacing, escapes and non-ASCII, to be kept byte for byte.
const CALLS: Call[] = [
  {
    id: 'call_w1',
    name: 'get_weather',
    arguments: '{"city": "Zürich",  "unit":"c", "q":"\\"x\\""}',
  },
  { id: 'call_t2', name: 'get_time', arguments: '{ "tz" : "Europe/Zurich" }' },
];
const RESULTS = ['{"tempC":14,"sky":"sunny 🌤"}', '14:05'];
const ANSWER = 'It is sunny and 14 °C in Zürich, and 14:05.';

const asCall = (c: OpenAI.ChatCompletionMessageToolCall): Call => {
  if (c.type !== 'function') throw new Error(`unexpected ${c.type} tool call`);
  return { id: c.id, name: c.function.name, arguments: c.function.arguments };
};

/** Ways of taking one turn through the SDK: each returns the assistant's turn, assembled. */
const WAYS: Record<string, (model: string, messages: Message[]) => Promise<Turn>> = {
  create: async (model, messages) => {
    const choice = (await client.chat.completions.create({ model, messages, tools: TOOLS }))
      .choices[0]!;
    return {
      content: choice.message.content,
      calls: (choice.message.tool_calls ?? []).map(asCall),
      finish: choice.finish_reason,
    };
  },
  'stream helper': async (model, messages) => {
    const stream = client.chat.completions.stream({ model, messages, tools: TOOLS });
    const choice = (await stream.finalChatCompletion()).choices[0]!;
    return {
      content: choice.message.content,
      calls: (choice.message.tool_calls ?? []).map(asCall),
      finish: choice.finish_reason,
    };
  },
  'stream deltas': async (model, messages) => {
    const { chunks: _chunks, ...turn } = await streamedTurn({ model, messages, tools: TOOLS });
    return turn;
  },
};

/** A streamed turn assembled from the deltas by hand, as a client without the helpers does. */
async function streamedTurn(
  params: Omit<OpenAI.ChatCompletionCreateParamsStreaming, 'stream'>,
): Promise<Turn & { chunks: OpenAI.ChatCompletionChunk[] }> {
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  let content: string | null = null;
  const calls: Call[] = [];
  let finish: string | null | undefined;
  for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) {
    chunks.push(chunk);
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (choice.delta.content) content = (content ?? '') + choice.delta.content;
    for (const delta of choice.delta.tool_calls ?? []) {
      const call = (calls[delta.index] ??= { id: '', name: '', arguments: '' });
      call.id ||= delta.id ?? '';
      call.name ||= delta.function?.name ?? '';
      call.arguments += delta.function?.arguments ?? '';
    }
    finish ??= choice.finish_reason;
  }
  return { content, calls, finish, chunks };
}

const assistantTurn = (calls: Call[]): Message => ({
  role: 'assistant',
  content: null,
  tool_calls: calls.map(({ id, name, arguments: args }) => ({
    id,
    type: 'function',
    function: { name, arguments: args },
  })),
});

/** What the upstream got at the third step, in its own wire format. */
function expectUpstreamLoop(model: string): void {
  const [first, , third] = gw.stub.requests;
  if (model.startsWith('anthropic/')) {
    expect((first?.body as { tools: unknown[] }).tools).toEqual([
      {
        name: 'get_weather',
        description: 'The weather in a city now.',
        input_schema: TOOLS[0]!.function.parameters,
      },
      {
        name: 'get_time',
        description: 'The time in a time zone now.',
        input_schema: TOOLS[1]!.function.parameters,
      },
    ]);
    expect((third?.body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: QUESTION },
      ...CALLS.flatMap((call, i) => [
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: call.id, name: call.name, input: JSON.parse(call.arguments) },
          ],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: call.id, content: RESULTS[i] }],
        },
      ]),
    ]);
    return;
  }
  expect((first?.body as { tools: unknown }).tools).toEqual(TOOLS);
  expect((third?.body as { messages: unknown }).messages).toEqual([
    { role: 'user', content: QUESTION },
    ...CALLS.flatMap((call, i) => [
      assistantTurn([call]),
      { role: 'tool', tool_call_id: call.id, content: RESULTS[i] },
    ]),
  ]);
}

describe('a three-step agent loop', () => {
  const cases = ['openai/gpt-stub', 'anthropic/claude-stub', 'compatible/gpt-stub'].flatMap(
    (model) => Object.keys(WAYS).map((way) => [model, way] as const),
  );

  it.each(cases)(
    'when %s calls two tools in turn (%s), then ids and arguments are exact both ways and it ends in text',
    async (model, way) => {
      gw.stub.reply(
        { text: '', toolCalls: [CALLS[0]!] },
        { text: '', toolCalls: [CALLS[1]!] },
        { text: ANSWER },
      );
      const messages: Message[] = [{ role: 'user', content: QUESTION }];
      for (const [i, call] of CALLS.entries()) {
        const turn = await WAYS[way]!(model, messages);
        expect(turn).toEqual({ content: null, calls: [call], finish: 'tool_calls' });
        messages.push(assistantTurn(turn.calls), {
          role: 'tool',
          tool_call_id: turn.calls[0]!.id,
          content: RESULTS[i]!,
        });
      }
      expect(await WAYS[way]!(model, messages)).toEqual({
        content: ANSWER,
        calls: [],
        finish: 'stop',
      });
      expect(gw.stub.requests.map((r) => r.status)).toEqual([200, 200, 200]);
      expectUpstreamLoop(model);
    },
  );

  it("when the SDK's runTools drives the loop, streamed, then each tool gets its parsed arguments and the loop ends in the answer", async () => {
    gw.stub.reply(
      { text: '', toolCalls: [CALLS[0]!] },
      { text: '', toolCalls: [CALLS[1]!] },
      { text: ANSWER },
    );
    const got: unknown[] = [];
    const tool = (i: number) => {
      const { name, description = '', parameters = {} } = TOOLS[i]!.function;
      return {
        type: 'function' as const,
        function: {
          name,
          description,
          parameters,
          parse: (input: string) => JSON.parse(input) as object,
          function: (args: object) => {
            got.push(args);
            return RESULTS[i]!;
          },
        },
      };
    };
    const runner = client.chat.completions.runTools({
      model: 'anthropic/claude-stub',
      messages: [{ role: 'user', content: QUESTION }],
      tools: [tool(0), tool(1)],
      stream: true,
    });
    expect(await runner.finalContent()).toBe(ANSWER);
    expect(got).toEqual(CALLS.map((c) => JSON.parse(c.arguments) as unknown));
    expectUpstreamLoop('anthropic/claude-stub');
  });
});

describe('parallel tool calls', () => {
  const TWO: Call[] = [
    { id: 'call_p0', name: 'get_weather', arguments: '{"city":"Bern"}' },
    { id: 'call_p1', name: 'get_weather', arguments: '{"city":"Genève","unit":"f"}' },
  ];

  it('when two calls come in one answer, and their first deltas in one chunk, then the stream carries both at indexes 0 and 1', async () => {
    for (const toolCallsInOneChunk of [false, true]) {
      gw.stub.reply({ text: '', toolCalls: TWO, toolCallsInOneChunk });
      const turn = await streamedTurn({
        model: 'openai/gpt-stub',
        messages: [{ role: 'user', content: 'Weather in Bern and Geneva?' }],
        tools: TOOLS,
      });
      expect(turn).toMatchObject({ content: null, calls: TWO, finish: 'tool_calls' });
      const starts = turn.chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      expect(starts.filter((d) => d.id).map((d) => [d.index, d.id])).toEqual([
        [0, 'call_p0'],
        [1, 'call_p1'],
      ]);
    }
  });

  it('when Anthropic answers text and two tool_use blocks, then they are tool calls 0 and 1 beside the text, streamed or not', async () => {
    const reply = { text: 'Checking both.', toolCalls: TWO };
    gw.stub.reply(reply, reply);
    const params = {
      model: 'anthropic/claude-stub',
      messages: [{ role: 'user' as const, content: 'Weather in Bern and Geneva?' }],
      tools: TOOLS,
    };
    const streamed = await streamedTurn(params);
    expect(streamed).toMatchObject({ content: 'Checking both.', calls: TWO, finish: 'tool_calls' });
    const whole = (await client.chat.completions.create(params)).choices[0]!;
    expect(whole.message.content).toBe('Checking both.');
    expect(whole.message.tool_calls?.map(asCall)).toEqual(TWO);
  });

  it('when parallel_tool_calls is false, then each upstream is told in its own terms', async () => {
    for (const model of ['openai/gpt-stub', 'anthropic/claude-stub']) {
      await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'one at a time' }],
        tools: TOOLS,
        parallel_tool_calls: false,
      });
    }
    const [openai, anthropic] = gw.stub.requests.map((r) => r.body);
    expect(openai).toMatchObject({ parallel_tool_calls: false });
    expect(anthropic).toMatchObject({
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    });
  });
});

describe('structured output with client.chat.completions.parse', () => {
  const Weather = z.object({ city: z.string(), tempC: z.number(), sunny: z.boolean() });
  const format = zodResponseFormat(Weather, 'weather_report');
  const report = { city: 'Zürich', tempC: 14.5, sunny: true };
  const ask = [{ role: 'user' as const, content: 'Report the weather in Zürich.' }];

  it('when the model speaks json_schema natively (openai), then the schema reaches it and the SDK parses the answer', async () => {
    gw.stub.reply({ text: JSON.stringify(report) });
    const completion = await client.chat.completions.parse({
      model: 'openai/gpt-stub',
      messages: ask,
      response_format: format,
    });
    expect(completion.choices[0]?.message.parsed).toEqual(report);
    expect(gw.stub.requests[0]?.body).toMatchObject({
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'weather_report', schema: format.json_schema.schema, strict: true },
      },
    });
  });

  it('when the model is Anthropic, then a forced tool carries the schema and its input comes back as the parsed answer, streamed or not', async () => {
    const reply = {
      text: '',
      toolCalls: [{ name: 'weather_report', arguments: JSON.stringify(report) }],
    };
    gw.stub.reply(reply, reply);
    const params = { model: 'anthropic/claude-stub', messages: ask, response_format: format };
    const completion = await client.chat.completions.parse(params);
    expect(completion.choices[0]?.message.parsed).toEqual(report);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    const streamed = await client.chat.completions.stream(params).finalChatCompletion();
    expect(streamed.choices[0]?.message.parsed).toEqual(report);
    expect(gw.stub.requests[0]?.body).toMatchObject({
      tools: [{ name: 'weather_report', input_schema: format.json_schema.schema }],
      tool_choice: { type: 'tool', name: 'weather_report' },
    });
  });
});

describe('tool use that cannot be right', () => {
  async function refusal(params: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>) {
    const error = await client.chat.completions
      .create({
        model: 'openai/gpt-stub',
        messages: [{ role: 'user', content: 'x' }],
        tools: TOOLS,
        ...params,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(400);
    expect(gw.stub.requests).toHaveLength(0);
    return (error as APIError).error as { param: string | null; message: string };
  }

  it('when a tool result answers no call, then the 400 names its tool_call_id', async () => {
    const error = await refusal({
      messages: [
        { role: 'user', content: 'x' },
        assistantTurn([CALLS[0]!]),
        { role: 'tool', tool_call_id: 'call_nobody', content: 'orphan' },
      ],
    });
    expect(error.param).toBe('messages.2.tool_call_id');
  });

  it("when a tool's parameters do not describe an object, then the 400 names the schema's field", async () => {
    const bad = (parameters: Record<string, unknown>) => ({
      tools: [{ type: 'function' as const, function: { name: 'f', parameters } }],
    });
    expect((await refusal(bad({ type: 'string' }))).param).toBe('tools.0.function.parameters.type');
    const missing = bad({ type: 'object', properties: {}, required: ['city'] });
    expect((await refusal(missing)).param).toBe('tools.0.function.parameters.required.0');
  });

  it('when tool_choice names a tool not in tools, then the 400 names it', async () => {
    const error = await refusal({
      tool_choice: { type: 'function', function: { name: 'get_stock_price' } },
    });
    expect(error.param).toBe('tool_choice.function.name');
  });
});
