// The OpenAI adapter's translations, through the real openai SDK against the provider stub: the
// unified request's tools, tool choice, structured output, reasoning, images and tool turns as the
// Chat Completions body the stub received, and OpenAI's usage details and tool-call chunks back
// as unified events. The contract (dev/provider-contract.ts) has the streaming of tool calls.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ToolDefinition } from '@colonycraft/protocol';
import {
  countStubTokens,
  startProviderStub,
  STUB_IMAGE_TOKENS,
  type ProviderStub,
} from '@colonycraft/testing';
import type { Provider, ProviderRequest } from '../provider.js';
import { runProvider } from '../dev/provider-contract.js';
import { createOpenAIProvider } from './openai-provider.js';

const QUESTION = 'What is the weather in Paris?';
const request: ProviderRequest = {
  model: 'gpt-stub',
  messages: [{ role: 'user', content: QUESTION }],
};
const WEATHER: ToolDefinition = {
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};
const TIME: ToolDefinition = { name: 'get_time', parameters: { type: 'object' } };
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUg==';

let stub: ProviderStub;
let provider: Provider;

beforeAll(async () => {
  stub = await startProviderStub();
  provider = createOpenAIProvider({ apiKey: 'sk-test', baseURL: stub.openaiBaseURL, models: [] });
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

/** Runs the request with `extra`, failing on a refusal, and returns what the stub received. */
async function sent(extra: Partial<ProviderRequest>) {
  const result = await runProvider(provider, { ...request, ...extra });
  expect(result.error).toBeUndefined();
  return { ...result, body: stub.requests[0]?.body as Record<string, unknown> };
}

describe('openai request translation', () => {
  it('when tools are given, then each is a function with its name, description, parameters and strict only where set', async () => {
    const { body } = await sent({ tools: [WEATHER, TIME] });

    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'The weather in a city.',
          parameters: WEATHER.parameters,
          strict: true,
        },
      },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
    ]);
    expect(body).not.toHaveProperty('tool_choice');
    expect(body).not.toHaveProperty('parallel_tool_calls');
  });

  it.each([
    ['auto', 'auto'],
    ['none', 'none'],
    ['required', 'required'],
    [{ name: 'get_time' }, { type: 'function', function: { name: 'get_time' } }],
  ] as const)('when toolChoice is %j, then tool_choice is %j', async (choice, expected) => {
    const { body } = await sent({ tools: [WEATHER, TIME], toolChoice: choice });

    expect(body.tool_choice).toEqual(expected);
  });

  it('when parallel tool calls are turned off, then parallel_tool_calls is false with tools and absent without, which OpenAI refuses', async () => {
    const withTools = await sent({ tools: [WEATHER], parallelToolCalls: false });
    expect(withTools.body.parallel_tool_calls).toBe(false);

    stub.reset();
    const without = await sent({ parallelToolCalls: false });
    expect(without.body).not.toHaveProperty('parallel_tool_calls');
    expect(without.body).not.toHaveProperty('tools');
  });

  it.each([
    [{ type: 'text' }, { type: 'text' }],
    [{ type: 'json' }, { type: 'json_object' }],
    [
      {
        type: 'json-schema',
        name: 'colours',
        description: 'Three colours.',
        schema: { type: 'object', properties: { colours: { type: 'array' } } },
        strict: true,
      },
      {
        type: 'json_schema',
        json_schema: {
          name: 'colours',
          description: 'Three colours.',
          schema: { type: 'object', properties: { colours: { type: 'array' } } },
          strict: true,
        },
      },
    ],
    [
      { type: 'json-schema', name: 'bare', schema: { type: 'object' } },
      { type: 'json_schema', json_schema: { name: 'bare', schema: { type: 'object' } } },
    ],
  ] as const)('when responseFormat is %j, then response_format is %j', async (format, expected) => {
    const { body } = await sent({ responseFormat: format });

    expect(body.response_format).toEqual(expected);
  });

  it.each([
    [{ effort: 'minimal' }, 'minimal'],
    [{ effort: 'high' }, 'high'],
    [{ budgetTokens: 1024 }, 'low'],
    [{ budgetTokens: 8192 }, 'medium'],
    [{ budgetTokens: 32_000 }, 'high'],
    [{ effort: 'low', budgetTokens: 32_000 }, 'low'],
  ] as const)('when reasoning is %j, then reasoning_effort is %s', async (reasoning, effort) => {
    const { body } = await sent({ reasoning });

    expect(body.reasoning_effort).toBe(effort);
  });

  it('when no reasoning is asked, then no reasoning_effort is sent', async () => {
    const { body } = await sent({});

    expect(body).not.toHaveProperty('reasoning_effort');
  });

  it('when a user message holds images, then an https one and a base64 one become image_url parts, the second as a data URL, in order with the text', async () => {
    const { body, events } = await sent({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Which is brighter?' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            {
              type: 'image',
              source: { type: 'base64', mediaType: 'image/png', data: PNG_BASE64 },
              detail: 'low',
            },
          ],
        },
      ],
    });

    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Which is brighter?' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          {
            type: 'image_url',
            image_url: { url: `data:image/png;base64,${PNG_BASE64}`, detail: 'low' },
          },
        ],
      },
    ]);
    // The stub counts each image it read.
    expect(events.at(-2)).toMatchObject({
      usage: { inputTokens: countStubTokens('Which is brighter?') + 2 * STUB_IMAGE_TOKENS },
    });
  });

  it('when an agent loop comes back, then the assistant turn carries tool_calls with content null, its reasoning stays behind, and each result is a tool message', async () => {
    const calls = [
      { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: 'call_b', name: 'get_time', arguments: '{}' },
    ];
    const { body } = await sent({
      tools: [WEATHER, TIME],
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: QUESTION },
        {
          role: 'assistant',
          content: '',
          toolCalls: calls,
          reasoning: { text: 'I need both.', signature: 'sig' },
        },
        { role: 'tool', toolCallId: 'call_a', content: '18 °C, "sunny"' },
        { role: 'tool', toolCallId: 'call_b', content: '14:05', isError: false },
        { role: 'assistant', content: 'Checking once more.', toolCalls: [calls[0]!] },
        { role: 'tool', toolCallId: 'call_a', content: 'still 18 °C' },
      ],
    });

    const toolCalls = (list: typeof calls) =>
      list.map(({ id, name, arguments: args }) => ({
        id,
        type: 'function',
        function: { name, arguments: args },
      }));
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: QUESTION },
      { role: 'assistant', content: null, tool_calls: toolCalls(calls) },
      { role: 'tool', tool_call_id: 'call_a', content: '18 °C, "sunny"' },
      { role: 'tool', tool_call_id: 'call_b', content: '14:05' },
      { role: 'assistant', content: 'Checking once more.', tool_calls: toolCalls([calls[0]!]) },
      { role: 'tool', tool_call_id: 'call_a', content: 'still 18 °C' },
    ]);
  });
});

describe('openai answer translation', () => {
  it('when the usage has cached and reasoning tokens, then the usage event carries both, within the input and output counts', async () => {
    stub.reply({
      text: 'Sunny.',
      reasoning: 'Look it up.',
      usage: { cachedInputTokens: 40, reasoningTokens: 12 },
    });
    const { events } = await sent({ reasoning: { effort: 'low' } });

    expect(events.slice(-2)).toEqual([
      {
        type: 'usage',
        usage: {
          inputTokens: countStubTokens(QUESTION) + 40,
          outputTokens: countStubTokens('Sunny.') + 12,
          cachedInputTokens: 40,
          reasoningTokens: 12,
          estimated: false,
        },
      },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('when three tool calls open in one chunk, then all three start there and each gets its own arguments exactly', async () => {
    const calls = [
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: 'call_2', name: 'get_weather', arguments: '{"city":"Zürich \\"ZH\\""}' },
      { id: 'call_3', name: 'get_time', arguments: '{"tz":"Europe/Zurich"}' },
    ];
    stub.reply({ text: '', toolCalls: calls, toolCallsInOneChunk: true });
    const { events, types } = await sent({ tools: [WEATHER, TIME] });

    const first = types.indexOf('tool-call-start');
    expect(events.slice(first, first + 3)).toEqual(
      calls.map(({ id, name }, index) => ({ type: 'tool-call-start', index, id, name })),
    );
    const args = calls.map((_, index) =>
      events
        .map((e) => (e.type === 'tool-call-delta' && e.index === index ? e.argumentsDelta : ''))
        .join(''),
    );
    expect(args).toEqual(calls.map((call) => call.arguments));
    expect(types).not.toContain('text-delta');
    expect(events.slice(-5)).toEqual([
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      { type: 'tool-call-end', index: 2 },
      expect.objectContaining({ type: 'usage' }),
      { type: 'finish', reason: 'tool-calls' },
    ]);
  });
});
