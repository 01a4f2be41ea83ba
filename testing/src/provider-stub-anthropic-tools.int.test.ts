// The provider stub's scripted replies as the real `@anthropic-ai/sdk` sees them: thinking, text
// and tool_use blocks, input_json_delta assembly, cache usage, images, and the tool and thinking
// checks.
import Anthropic, { BadRequestError, InternalServerError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  countStubTokens,
  startProviderStub,
  STUB_IMAGE_TOKENS,
  type ProviderStub,
} from './provider-stub.js';

const KEY = 'sk-ant-stub-tools-key';
const QUESTION = 'What is the weather in Paris?';
const tools: Anthropic.Tool[] = [
  {
    name: 'get_weather',
    description: 'The weather in a city.',
    input_schema: { type: 'object', properties: { city: { type: 'string' } } },
  },
  { name: 'get_time', input_schema: { type: 'object' } },
];
const base = {
  model: 'claude-stub',
  max_tokens: 2048,
  tools,
  messages: [{ role: 'user', content: QUESTION }] satisfies Anthropic.MessageParam[],
};
const thinking = { type: 'enabled', budget_tokens: 1024 } as const;
const WEATHER = {
  id: 'toolu_weather_1',
  name: 'get_weather',
  arguments: '{"city":"Paris","unit":"c"}',
};
const TIME = { name: 'get_time', arguments: '{"timezone": "Europe/Paris"}' };
const REASONING = 'The user wants the weather and the time.';
const TEXT = 'Let me check both.';

let stub: ProviderStub;
let client: Anthropic;

beforeAll(async () => {
  stub = await startProviderStub({ apiKey: KEY });
  client = new Anthropic({ apiKey: KEY, baseURL: stub.anthropicBaseURL, maxRetries: 0 });
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

/** Reads a raw event stream to its end, keeping the events and the error, if any. */
async function drain(stream: AsyncIterable<Anthropic.RawMessageStreamEvent>) {
  const events: Anthropic.RawMessageStreamEvent[] = [];
  let error: unknown;
  try {
    for await (const event of stream) events.push(event);
  } catch (caught) {
    error = caught;
  }
  return { events, error };
}

/** The concatenated `partial_json` of each block index. */
function partialJson(events: Anthropic.RawMessageStreamEvent[]): string[] {
  const json: string[] = [];
  for (const e of events) {
    if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta') {
      json[e.index] = (json[e.index] ?? '') + e.delta.partial_json;
    }
  }
  return json.filter((text) => text !== undefined);
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected the promise to reject'),
    (error: unknown) => error,
  );

describe('anthropic SDK against the stub: tools, thinking, cache usage and images', () => {
  describe('when a reply with reasoning, text and two tool calls streams with thinking enabled', () => {
    it('then messages.stream yields a signed thinking block, the text and tool_use with the exact input', async () => {
      stub.reply({
        reasoning: REASONING,
        text: TEXT,
        toolCalls: [WEATHER, TIME],
        usage: { cachedInputTokens: 30, cacheWriteTokens: 10 },
      });
      const stream = client.messages.stream({ ...base, thinking });
      const fragments: string[] = [];
      stream.on('inputJson', (delta) => fragments.push(delta));
      const message = await stream.finalMessage();

      expect(message.content).toMatchObject([
        { type: 'thinking', thinking: REASONING, signature: expect.stringMatching(/^\S+$/) },
        { type: 'text', text: TEXT },
        {
          type: 'tool_use',
          id: WEATHER.id,
          name: WEATHER.name,
          input: { city: 'Paris', unit: 'c' },
        },
        {
          type: 'tool_use',
          id: expect.stringMatching(/^toolu_/),
          name: TIME.name,
          input: { timezone: 'Europe/Paris' },
        },
      ]);
      expect(fragments.join('')).toBe(WEATHER.arguments + TIME.arguments);
      expect(fragments.length).toBeGreaterThan(4);
      expect(message.stop_reason).toBe('tool_use');
      const answer = [TEXT, WEATHER.arguments, TIME.arguments].join('\n');
      expect(message.usage).toMatchObject({
        input_tokens: countStubTokens(QUESTION),
        cache_read_input_tokens: 30,
        cache_creation_input_tokens: 10,
        output_tokens: countStubTokens(answer) + countStubTokens(REASONING),
      });
    });

    it('then the raw events open each tool_use block with empty input, as documented', async () => {
      stub.reply({ text: '', toolCalls: [WEATHER] });
      const { events } = await drain(await client.messages.create({ ...base, stream: true }));

      expect(events.map((e) => e.type)).toEqual([
        'message_start',
        'content_block_start',
        ...Array<string>(5).fill('content_block_delta'),
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      expect(events[1]).toEqual({
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: WEATHER.id, name: WEATHER.name, input: {} },
      });
    });
  });

  describe('when reasoning is scripted but the request does not enable thinking', () => {
    it('then no thinking block is sent', async () => {
      stub.reply({ reasoning: REASONING, text: TEXT });
      const message = await client.messages.create(base);

      expect(message.content).toEqual([{ type: 'text', text: TEXT }]);
    });
  });

  describe('when the scripted arguments are not valid JSON', () => {
    const broken = { name: 'get_weather', arguments: '{"city": "Par' };

    it('then a stream sends the fragments as they are', async () => {
      stub.reply({ text: '', toolCalls: [broken] });
      const { events, error } = await drain(
        await client.messages.create({ ...base, stream: true }),
      );

      expect(error).toBeUndefined();
      expect(partialJson(events)).toEqual([broken.arguments]);
    });

    it('then a plain message is a 500 saying so, since Anthropic never answers invalid input', async () => {
      stub.reply({ text: '', toolCalls: [broken] });
      const error = await rejection(client.messages.create(base));

      expect(error).toBeInstanceOf(InternalServerError);
      expect((error as InternalServerError).message).toContain('not valid JSON');
    });
  });

  describe('when the stream is cut inside a tool call', () => {
    it('then the iterator throws with the partial JSON so far', async () => {
      stub.reply({ text: 'Checking.', toolCalls: [WEATHER] });
      stub.script({ kind: 'cut', afterChunks: 3 });
      const { events, error } = await drain(
        await client.messages.create({ ...base, stream: true }),
      );

      expect(error).toBeInstanceOf(Error);
      expect(partialJson(events)).toEqual([WEATHER.arguments.slice(0, 12)]);
    });
  });

  describe('when a tool_result answers no tool_use of the assistant message before it', () => {
    it('then the SDK throws a BadRequestError', async () => {
      const messages: Anthropic.MessageParam[] = [
        { role: 'user', content: QUESTION },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_b', content: 'sunny' }],
        },
      ];
      const error = await rejection(client.messages.create({ ...base, messages }));

      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).type).toBe('invalid_request_error');
      expect((error as BadRequestError).message).toContain('unexpected `tool_use_id`');
    });
  });

  describe('when budget_tokens is not below max_tokens', () => {
    it('then the SDK throws a BadRequestError', async () => {
      const error = await rejection(
        client.messages.create({ ...base, max_tokens: 1024, thinking }),
      );

      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).message).toContain('`max_tokens` must be greater');
    });
  });

  describe('when a user message holds an image', () => {
    const withImage = (source: Anthropic.Base64ImageSource): Anthropic.MessageParam[] => [
      {
        role: 'user',
        content: [
          { type: 'text', text: QUESTION },
          { type: 'image', source },
        ],
      },
    ];

    it('then base64 png data is accepted and counts as a fixed number of input tokens', async () => {
      const messages = withImage({ type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' });
      const message = await client.messages.create({ ...base, messages });

      expect(message.usage.input_tokens).toBe(countStubTokens(QUESTION) + STUB_IMAGE_TOKENS);
    });

    it('then data that is not base64 is refused with a 400 naming the field', async () => {
      const messages = withImage({ type: 'base64', media_type: 'image/png', data: 'not base64!' });
      const error = await rejection(client.messages.create({ ...base, messages }));

      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).message).toContain(
        'messages.0.content.1.image.source.base64.data',
      );
    });
  });
});
