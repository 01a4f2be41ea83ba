// The provider stub's scripted replies as the real `openai` SDK sees them: tool calls streamed in
// fragments and assembled by the SDK, reasoning, usage details, images and the tool-call checks.
import OpenAI, { BadRequestError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  countStubTokens,
  startProviderStub,
  STUB_IMAGE_TOKENS,
  stubReply,
  type ProviderStub,
} from './provider-stub.js';

const KEY = 'sk-stub-openai-tools-key';
const QUESTION = 'What is the weather in Paris?';
const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: QUESTION }];
const tools: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The weather in a city.',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    },
  },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
];
const WEATHER = {
  id: 'call_weather_1',
  name: 'get_weather',
  arguments: '{"city":"Paris","unit":"c"}',
};
const TIME = { name: 'get_time', arguments: '{"timezone": "Europe/Paris"}' };
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==';

let stub: ProviderStub;
let client: OpenAI;

beforeAll(async () => {
  stub = await startProviderStub({ apiKey: KEY });
  client = new OpenAI({ apiKey: KEY, baseURL: stub.openaiBaseURL, maxRetries: 0 });
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

/** Reads a stream to its end, keeping the chunks and the error it threw, if any. */
async function drain(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  let error: unknown;
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (caught) {
    error = caught;
  }
  return { chunks, error };
}

/** The arguments of each streamed tool call, assembled by index from the raw deltas. */
function assemble(chunks: OpenAI.ChatCompletionChunk[]): string[] {
  const args: string[] = [];
  for (const chunk of chunks) {
    for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
      args[call.index] = (args[call.index] ?? '') + (call.function?.arguments ?? '');
    }
  }
  return args;
}

const stream = (extra: Partial<OpenAI.ChatCompletionCreateParamsStreaming> = {}) =>
  client.chat.completions.create({ model: 'gpt-stub', messages, tools, stream: true, ...extra });

describe('openai SDK against the stub: tools, reasoning and images', () => {
  describe('when a reply with two tool calls streams', () => {
    it("then the SDK's finalChatCompletion assembles both calls exactly, with content null", async () => {
      stub.reply({ text: '', toolCalls: [WEATHER, TIME] });
      const runner = client.chat.completions.stream({ model: 'gpt-stub', messages, tools });
      let fragments = 0;
      runner.on('tool_calls.function.arguments.delta', () => (fragments += 1));
      const completion = await runner.finalChatCompletion();

      const choice = completion.choices[0];
      expect(choice?.finish_reason).toBe('tool_calls');
      expect(choice?.message.content).toBeNull();
      expect(choice?.message.tool_calls).toMatchObject([
        {
          id: WEATHER.id,
          type: 'function',
          function: { name: 'get_weather', arguments: WEATHER.arguments },
        },
        { id: expect.stringMatching(/^call_/), type: 'function', function: TIME },
      ]);
      expect(fragments).toBeGreaterThan(4);
    });

    it('then, not streamed, the message carries the same tool_calls and content null', async () => {
      stub.reply({ text: '', toolCalls: [WEATHER] });
      const completion = await client.chat.completions.create({
        model: 'gpt-stub',
        messages,
        tools,
      });

      expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
      expect(completion.choices[0]?.message).toMatchObject({
        content: null,
        tool_calls: [
          {
            id: WEATHER.id,
            type: 'function',
            function: { name: WEATHER.name, arguments: WEATHER.arguments },
          },
        ],
      });
    });
  });

  describe('when toolCallsInOneChunk is set', () => {
    it('then one chunk starts both calls and the arguments still assemble by index', async () => {
      stub.reply({ text: 'Looking.', toolCalls: [WEATHER, TIME], toolCallsInOneChunk: true });
      const { chunks, error } = await drain(await stream());

      expect(error).toBeUndefined();
      const starts = chunks.filter((c) => (c.choices[0]?.delta.tool_calls?.length ?? 0) > 1);
      expect(starts).toHaveLength(1);
      expect(starts[0]?.choices[0]?.delta.tool_calls).toMatchObject([
        {
          index: 0,
          id: WEATHER.id,
          type: 'function',
          function: { name: WEATHER.name, arguments: '' },
        },
        { index: 1, id: expect.stringMatching(/^call_/), function: { name: TIME.name } },
      ]);
      expect(assemble(chunks)).toEqual([WEATHER.arguments, TIME.arguments]);
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Looking.');
    });
  });

  describe('when the reply has reasoning, cached input and reasoning tokens', () => {
    const REASONING = 'The user asks about Paris weather.';
    const reply = { reasoning: REASONING, usage: { cachedInputTokens: 40, reasoningTokens: 12 } };
    const prompt = countStubTokens(QUESTION) + 40;
    const completionTokens = countStubTokens(stubReply(QUESTION)) + 12;

    it('then reasoning_content streams before the text and the usage chunk carries the details', async () => {
      stub.reply(reply);
      const { chunks } = await drain(
        await stream({ reasoning_effort: 'low', stream_options: { include_usage: true } }),
      );

      const deltas = chunks.map((c) => c.choices[0]?.delta as { reasoning_content?: string });
      expect(deltas.map((d) => d?.reasoning_content ?? '').join('')).toBe(REASONING);
      expect(chunks.at(-1)?.usage).toEqual({
        prompt_tokens: prompt,
        completion_tokens: completionTokens,
        total_tokens: prompt + completionTokens,
        prompt_tokens_details: { cached_tokens: 40 },
        completion_tokens_details: { reasoning_tokens: 12 },
      });
    });

    it('then, not streamed, the message carries reasoning_content', async () => {
      stub.reply(reply);
      const completion = await client.chat.completions.create({ model: 'gpt-stub', messages });

      expect(completion.choices[0]?.message).toMatchObject({
        content: stubReply(QUESTION),
        reasoning_content: REASONING,
      });
      expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(12);
    });
  });

  describe('when the stream is cut inside a tool call', () => {
    it('then the SDK throws with the arguments so far', async () => {
      stub.reply({ text: 'Checking.', toolCalls: [WEATHER] });
      stub.script({ kind: 'cut', afterChunks: 3 });
      const { chunks, error } = await drain(await stream());

      expect(error).toBeInstanceOf(Error);
      expect(assemble(chunks)).toEqual([WEATHER.arguments.slice(0, 12)]);
    });
  });

  describe("when an assistant's tool call has no tool message before the next user message", () => {
    it('then the SDK throws a BadRequestError naming the unanswered call', async () => {
      const history: OpenAI.ChatCompletionMessageParam[] = [
        ...messages,
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
        { role: 'user', content: 'And?' },
      ];
      const error = await client.chat.completions
        .create({ model: 'gpt-stub', messages: history, tools })
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).message).toContain('call_b');
      expect((error as BadRequestError).param).toBe('messages.[1].role');
    });
  });

  describe('when a user message holds an image', () => {
    const withImage = (url: string): OpenAI.ChatCompletionMessageParam[] => [
      {
        role: 'user',
        content: [
          { type: 'text', text: QUESTION },
          { type: 'image_url', image_url: { url } },
        ],
      },
    ];

    it('then a png data URL is accepted and counts as a fixed number of prompt tokens', async () => {
      const completion = await client.chat.completions.create({
        model: 'gpt-stub',
        messages: withImage(PNG),
      });

      expect(completion.usage?.prompt_tokens).toBe(countStubTokens(QUESTION) + STUB_IMAGE_TOKENS);
    });

    it('then a data URL of another type is refused with a 400 naming the field', async () => {
      const error = await client.chat.completions
        .create({ model: 'gpt-stub', messages: withImage('data:image/tiff;base64,AAAA') })
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).param).toBe('messages[0].content[1].image_url.url');
    });
  });
});

describe('an unscripted request that forces a tool', () => {
  it('when tool_choice names a tool or is required, then the answer calls it with the question as its query', async () => {
    const named = await client.chat.completions.create({
      model: 'gpt-stub',
      messages,
      tools,
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    expect(named.choices[0]?.finish_reason).toBe('tool_calls');
    expect(named.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: 'get_time', arguments: JSON.stringify({ query: QUESTION }) },
    });
    const required = await client.chat.completions.create({
      model: 'gpt-stub',
      messages,
      tools,
      tool_choice: 'required',
    });
    expect(required.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: 'get_weather' },
    });
  });
});
