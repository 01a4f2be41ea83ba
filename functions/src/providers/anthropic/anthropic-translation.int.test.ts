// The Anthropic adapter's translations, through the real @anthropic-ai/sdk against the provider
// stub: tool turns, images, signed reasoning, thinking budgets, tool choice and JSON answers as the
// Messages body the stub received, and thinking, cache counts and a JSON answer's forced tool back
// as unified events. The contract (dev/provider-contract.ts) has the streaming of tool calls.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage, Reasoning, ToolDefinition } from '@colonycraft/protocol';
import {
  countStubTokens,
  startProviderStub,
  STUB_IMAGE_TOKENS,
  type ProviderStub,
} from '@colonycraft/testing';
import { ProviderError, type Provider, type ProviderRequest } from '../provider.js';
import { runProvider } from '../dev/provider-contract.js';
import { JSON_ANSWER_TOOL } from './anthropic-body.js';
import { createAnthropicProvider, DEFAULT_ANTHROPIC_MAX_TOKENS } from './anthropic-provider.js';

const QUESTION = 'What is the weather in Paris?';
const request: ProviderRequest = {
  model: 'claude-stub',
  messages: [{ role: 'user', content: QUESTION }],
};
const WEATHER: ToolDefinition = {
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const TIME: ToolDefinition = { name: 'get_time', parameters: { type: 'object' } };
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUg==';
const SIGNATURE = 'c2lnbmVkIGJ5IHRoZSBzdHVi';

let stub: ProviderStub;
let provider: Provider;

beforeAll(async () => {
  stub = await startProviderStub();
  provider = createAnthropicProvider({
    apiKey: 'test-anthropic-key',
    baseURL: stub.anthropicBaseURL,
    models: [],
  });
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

/** Runs the request with `extra`, failing on a refusal, and returns what the stub received. */
async function sent(extra: Partial<ProviderRequest>) {
  const result = await runProvider(provider, { ...request, ...extra });
  expect(result.error).toBeUndefined();
  return { ...result, body: stub.requests[0]?.body as Record<string, unknown> };
}

/** An agent loop coming back: two calls, their results, a follow-up and a late system message. */
function loop(reasoning?: Reasoning): ChatMessage[] {
  return [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: QUESTION },
    {
      role: 'assistant',
      content: 'Let me check.',
      toolCalls: [
        { id: 'toolu_a', name: 'get_weather', arguments: '{"city":"Paris","days":[1,2]}' },
        { id: 'toolu_b', name: 'get_time', arguments: '' },
      ],
      ...(reasoning ? { reasoning } : {}),
    },
    { role: 'tool', toolCallId: 'toolu_a', content: '18 °C, "sunny"' },
    { role: 'tool', toolCallId: 'toolu_b', content: 'clock unavailable', isError: true },
    { role: 'user', content: 'And tomorrow?' },
    { role: 'system', content: 'Answer in English.' },
  ];
}

const LOOP_TURNS = (thinking: object[]) => [
  { role: 'user', content: QUESTION },
  {
    role: 'assistant',
    content: [
      ...thinking,
      { type: 'text', text: 'Let me check.' },
      {
        type: 'tool_use',
        id: 'toolu_a',
        name: 'get_weather',
        input: { city: 'Paris', days: [1, 2] },
      },
      { type: 'tool_use', id: 'toolu_b', name: 'get_time', input: {} },
    ],
  },
  {
    role: 'user',
    content: [
      { type: 'tool_result', tool_use_id: 'toolu_a', content: '18 °C, "sunny"' },
      {
        type: 'tool_result',
        tool_use_id: 'toolu_b',
        content: 'clock unavailable',
        is_error: true,
      },
      { type: 'text', text: 'And tomorrow?' },
    ],
  },
];

describe('anthropic request translation', () => {
  it('when an agent loop comes back, then the system messages are joined, tool calls are tool_use with parsed input, and the results and the follow-up share one user turn', async () => {
    const { body } = await sent({ tools: [WEATHER, TIME], messages: loop() });

    expect(body.system).toBe('You are terse.\n\nAnswer in English.');
    expect(body.messages).toEqual(LOOP_TURNS([]));
    expect(body.tools).toEqual([
      {
        name: 'get_weather',
        description: 'The weather in a city.',
        input_schema: WEATHER.parameters,
      },
      { name: 'get_time', input_schema: { type: 'object' } },
    ]);
    expect(body).not.toHaveProperty('tool_choice');
  });

  it('when the loop carries its signed reasoning and asks for reasoning, then the reasoning goes back first in its turn as a thinking block, and thinking is on', async () => {
    const { body } = await sent({
      tools: [WEATHER, TIME],
      messages: loop({ text: 'Both are needed.', signature: SIGNATURE }),
      reasoning: { effort: 'low' },
    });

    expect(body.messages).toEqual(
      LOOP_TURNS([{ type: 'thinking', thinking: 'Both are needed.', signature: SIGNATURE }]),
    );
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
  });

  it('when the loop’s reasoning came back unsigned, then it stays behind and thinking is off, which Anthropic would refuse', async () => {
    const { body } = await sent({
      tools: [WEATHER, TIME],
      messages: loop({ text: 'Both are needed.' }),
      reasoning: { effort: 'low' },
    });

    expect(body.messages).toEqual(LOOP_TURNS([]));
    expect(body).not.toHaveProperty('thinking');
  });

  it('when a user message holds images, then the base64 one and the https one become image blocks, in order with the text', async () => {
    const { body, events } = await sent({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Which is brighter?' },
            {
              type: 'image',
              source: { type: 'base64', mediaType: 'image/png', data: PNG_BASE64 },
              detail: 'high',
            },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.webp' } },
          ],
        },
      ],
    });

    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Which is brighter?' },
          {
            type: 'image',
            source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 },
          },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.webp' } },
        ],
      },
    ]);
    expect(events.at(-2)).toMatchObject({
      usage: { inputTokens: countStubTokens('Which is brighter?') + 2 * STUB_IMAGE_TOKENS },
    });
  });

  it.each([
    ['an effort', 2048, { reasoning: { effort: 'low' } }],
    ['a budget', 3000, { reasoning: { budgetTokens: 3000 } }],
    ['a budget over the default maxTokens', 4095, { reasoning: { budgetTokens: 5000 } }],
    ['a budget over maxTokens', 2999, { reasoning: { budgetTokens: 9000 }, maxTokens: 3000 }],
    ['an effort over maxTokens', 1999, { reasoning: { effort: 'high' }, maxTokens: 2000 }],
    [
      'tools it may call',
      2048,
      { reasoning: { effort: 'low' }, tools: [WEATHER], toolChoice: 'auto' },
    ],
  ] satisfies [string, number, Partial<ProviderRequest>][])(
    'when reasoning is asked with %s, then thinking has budget_tokens %i, below max_tokens',
    async (_, budget, extra) => {
      const { body } = await sent(extra);

      expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: budget });
      expect(body.max_tokens).toBe(
        'maxTokens' in extra ? extra.maxTokens : DEFAULT_ANTHROPIC_MAX_TOKENS,
      );
    },
  );

  it.each([
    ['maxTokens leaves less than the 1,024 minimum', { maxTokens: 1024 }],
    ['a tool is required', { tools: [WEATHER], toolChoice: 'required' }],
    ['a named tool is forced', { tools: [WEATHER], toolChoice: { name: 'get_weather' } }],
    ['a JSON answer forces its tool', { responseFormat: { type: 'json' } }],
  ] satisfies [string, Partial<ProviderRequest>][])(
    'when reasoning is asked but %s, then thinking is off',
    async (_, extra) => {
      const { body } = await sent({ reasoning: { budgetTokens: 2048 }, ...extra });

      expect(body).not.toHaveProperty('thinking');
    },
  );

  it.each([
    ['auto', undefined, { type: 'auto' }],
    ['none', undefined, { type: 'none' }],
    ['required', undefined, { type: 'any' }],
    [{ name: 'get_time' }, undefined, { type: 'tool', name: 'get_time' }],
    [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
    ['required', false, { type: 'any', disable_parallel_tool_use: true }],
    [
      { name: 'get_time' },
      false,
      { type: 'tool', name: 'get_time', disable_parallel_tool_use: true },
    ],
    ['auto', true, { type: 'auto' }],
  ] as const)(
    'when toolChoice is %j and parallelToolCalls %s, then tool_choice is %j',
    async (choice, parallel, expected) => {
      const { body } = await sent({
        tools: [WEATHER, TIME],
        ...(choice === undefined ? {} : { toolChoice: choice }),
        ...(parallel === undefined ? {} : { parallelToolCalls: parallel }),
      });

      expect(body.tool_choice).toEqual(expected);
    },
  );

  it('when parallel tool calls are turned off without tools, then no tool_choice is sent', async () => {
    const { body } = await sent({ parallelToolCalls: false });

    expect(body).not.toHaveProperty('tool_choice');
    expect(body).not.toHaveProperty('tools');
  });

  it.each([
    ['not JSON', '{"city":'],
    ['an array', '[1,2]'],
    ['a string', '"Paris"'],
    ['null', 'null'],
  ])(
    'when a tool call’s arguments are %s, then a 400 ProviderError names them and nothing is sent',
    async (_, args) => {
      const { error, events } = await runProvider(provider, {
        ...request,
        tools: [WEATHER],
        messages: [
          { role: 'user', content: QUESTION },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'toolu_a', name: 'get_weather', arguments: args }],
          },
          { role: 'tool', toolCallId: 'toolu_a', content: '18 °C' },
        ],
      });

      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({
        provider: 'anthropic',
        status: 400,
        code: 'invalid_request_error',
        isRetryable: false,
        message: 'messages.1.toolCalls.0.arguments: must be a JSON object for Anthropic',
      });
      expect(stub.requests).toEqual([]);
    },
  );
});

describe('anthropic JSON answers', () => {
  const JSON_TEXT = '{"colours":["red","yellow","blue"],"note":"\\"primary\\" — ✓ \\u00e9"}';

  it('when any JSON object is asked, then the json_answer tool is forced and its input comes back as the text, exactly, with finish stop', async () => {
    stub.reply({ text: '', toolCalls: [{ name: JSON_ANSWER_TOOL, arguments: JSON_TEXT }] });
    const { body, events, text, types } = await sent({ responseFormat: { type: 'json' } });

    expect(body.tools).toEqual([
      {
        name: 'json_answer',
        description: 'Answer with a JSON object.',
        input_schema: { type: 'object' },
      },
    ]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'json_answer' });
    expect(text).toBe(JSON_TEXT);
    expect(types.filter((type) => type.startsWith('tool-call'))).toEqual([]);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('when JSON matching a schema is asked, then a tool named for the schema is forced and its input is the text, beside tools of its own', async () => {
    const schema = {
      type: 'object' as const,
      properties: { colours: { type: 'array' } },
      required: ['colours'],
    };
    stub.reply({ text: '', toolCalls: [{ name: 'colours', arguments: JSON_TEXT }] });
    const { body, text, types, events } = await sent({
      tools: [WEATHER],
      responseFormat: { type: 'json-schema', name: 'colours', description: 'Three.', schema },
    });

    expect(body.tools).toEqual([
      expect.objectContaining({ name: 'get_weather' }),
      { name: 'colours', description: 'Three.', input_schema: schema },
    ]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'colours' });
    expect(text).toBe(JSON_TEXT);
    expect(types).not.toContain('tool-call-start');
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });
});

describe('anthropic answer translation', () => {
  it('when the answer thinks, then its thinking streams as reasoning, its signature follows it, and the text comes after', async () => {
    stub.reply({ reasoning: 'Paris in spring.', text: 'Mild.' });
    const { events } = await sent({ reasoning: { budgetTokens: 1024 } });

    const content = events.filter((e) => e.type !== 'usage' && e.type !== 'finish');
    expect(content).toEqual([
      { type: 'reasoning-delta', text: 'Paris' },
      { type: 'reasoning-delta', text: ' in' },
      { type: 'reasoning-delta', text: ' spring.' },
      { type: 'reasoning-signature', signature: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/) },
      { type: 'text-delta', text: 'Mild.' },
    ]);
  });

  it('when the usage has cache reads and writes, then they are cachedInputTokens and cacheWriteTokens, both within inputTokens', async () => {
    stub.reply({ text: 'Mild.', usage: { cachedInputTokens: 100, cacheWriteTokens: 30 } });
    const { events } = await sent({});

    expect(events.slice(-2)).toEqual([
      {
        type: 'usage',
        usage: {
          inputTokens: countStubTokens(QUESTION) + 100 + 30,
          outputTokens: countStubTokens('Mild.'),
          cachedInputTokens: 100,
          cacheWriteTokens: 30,
          estimated: false,
        },
      },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('when the answer stops for tool_use, then the finish reason is tool-calls and the call ends before the usage', async () => {
    stub.reply({ text: '', toolCalls: [{ id: 'toolu_x', name: 'get_time', arguments: '{}' }] });
    const { events } = await sent({ tools: [TIME] });

    expect(events).toEqual([
      { type: 'tool-call-start', index: 0, id: 'toolu_x', name: 'get_time' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' },
      { type: 'tool-call-end', index: 0 },
      expect.objectContaining({ type: 'usage' }),
      { type: 'finish', reason: 'tool-calls' },
    ]);
  });
});
