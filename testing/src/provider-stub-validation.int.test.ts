// The provider stub's request checks over plain fetch: each refusal the providers make for tools,
// images, structured output and thinking, and the full requests they accept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderStub, type ProviderStub } from './provider-stub.js';

const user = { role: 'user', content: 'What is the weather in Paris?' };
const openaiTools = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
];
const openaiCall = {
  id: 'call_a',
  type: 'function',
  function: { name: 'get_weather', arguments: '{}' },
};
const openaiImage = (url: string) => ({
  messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
});
const anthropicTools = [{ name: 'get_weather', input_schema: { type: 'object' } }];
const toolUse = { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} };
const thinking = { type: 'enabled', budget_tokens: 1024 };
const anthropicImage = (source: Record<string, unknown>) => ({
  messages: [{ role: 'user', content: [{ type: 'image', source }] }],
});
const PNG = 'iVBORw0KGgo=';

let stub: ProviderStub;

beforeAll(async () => {
  stub = await startProviderStub();
});
afterAll(() => stub.close());

function postChat(extra: Record<string, unknown>) {
  return fetch(`${stub.openaiBaseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer any', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-stub', messages: [user], ...extra }),
  });
}

function postMessages(extra: Record<string, unknown>) {
  return fetch(`${stub.anthropicBaseURL}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': 'any', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-stub', max_tokens: 2048, messages: [user], ...extra }),
  });
}

describe('OpenAI format request checks', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'a tool message answers no earlier call',
      { messages: [user, { role: 'tool', tool_call_id: 'call_x', content: 'sunny' }] },
      'messages.[1].role',
    ],
    [
      "an assistant's tool call is never answered",
      { messages: [user, { role: 'assistant', content: null, tool_calls: [openaiCall] }] },
      'messages.[1].role',
    ],
    [
      'tool_choice names a tool not in tools',
      { tools: openaiTools, tool_choice: { type: 'function', function: { name: 'nope' } } },
      'tool_choice.function.name',
    ],
    ['tools is an empty list', { tools: [] }, 'tools'],
    [
      'a data URL is not base64',
      openaiImage('data:image/png;base64,@@@@'),
      'messages[0].content[0].image_url.url',
    ],
    [
      'a data URL is not an image type',
      openaiImage('data:text/plain;base64,aGk='),
      'messages[0].content[0].image_url.url',
    ],
    [
      'an image URL is plain http',
      openaiImage('http://example.com/cat.png'),
      'messages[0].content[0].image_url.url',
    ],
    [
      'response_format has an unknown type',
      { response_format: { type: 'yaml' } },
      'response_format.type',
    ],
    [
      'a json_schema response_format has no name',
      { response_format: { type: 'json_schema', json_schema: { schema: {} } } },
      'response_format.json_schema.name',
    ],
    ['reasoning_effort is unknown', { reasoning_effort: 'extreme' }, 'reasoning_effort'],
  ])('when %s, then it answers 400 invalid_request_error naming %s', async (_, extra, param) => {
    const response = await postChat(extra);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { type: 'invalid_request_error', param },
    });
  });

  it.each<[string, Record<string, unknown>]>([
    [
      'a whole tool round trip with a developer message, a named tool_choice and a json_schema',
      {
        messages: [
          { role: 'developer', content: 'Be brief.' },
          user,
          { role: 'assistant', content: null, tool_calls: [openaiCall] },
          { role: 'tool', tool_call_id: 'call_a', content: [{ type: 'text', text: 'sunny' }] },
        ],
        tools: openaiTools,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        parallel_tool_calls: false,
        reasoning_effort: 'medium',
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'weather', schema: { type: 'object' }, strict: true },
        },
      },
    ],
    ['an https image URL', openaiImage('https://example.com/cat.png')],
    ['a gif data URL', openaiImage('data:image/gif;base64,R0lGODlhAQABAAAAACw=')],
    [
      'json_object output and tool_choice required',
      { response_format: { type: 'json_object' }, tools: openaiTools, tool_choice: 'required' },
    ],
  ])('when %s, then it answers 200', async (_, extra) => {
    expect((await postChat(extra)).status).toBe(200);
  });
});

describe('Anthropic format request checks', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'a tool_use is followed by a user message without its tool_result',
      { messages: [user, { role: 'assistant', content: [toolUse] }, user] },
      '`tool_use` ids were found without `tool_result` blocks immediately after: toolu_a',
    ],
    [
      'a tool_result follows an assistant message without tool_use',
      {
        messages: [
          user,
          { role: 'assistant', content: 'Let me see.' },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'toolu_a', content: 'sunny' }],
          },
        ],
      },
      'unexpected `tool_use_id` found in `tool_result` blocks: toolu_a',
    ],
    [
      'budget_tokens is under 1024',
      { thinking: { type: 'enabled', budget_tokens: 512 } },
      'greater than or equal to 1024',
    ],
    [
      'budget_tokens is not below max_tokens',
      { max_tokens: 1024, thinking },
      '`max_tokens` must be greater',
    ],
    [
      'temperature is not 1 with thinking',
      { thinking, temperature: 0.5 },
      '`temperature` may only be set to 1',
    ],
    [
      'thinking comes with a forced tool',
      { thinking, tools: anthropicTools, tool_choice: { type: 'any' } },
      'forces tool use',
    ],
    [
      'tool_choice names a tool not in tools',
      { tools: anthropicTools, tool_choice: { type: 'tool', name: 'nope' } },
      "Tool 'nope' not found",
    ],
    [
      "the first message is the assistant's",
      { messages: [{ role: 'assistant', content: 'Hi.' }, user] },
      'first message must use the "user" role',
    ],
    [
      'an image is a bmp',
      anthropicImage({ type: 'base64', media_type: 'image/bmp', data: PNG }),
      'source.base64.media_type',
    ],
    [
      'an image URL is plain http',
      anthropicImage({ type: 'url', url: 'http://example.com/cat.png' }),
      'source.url',
    ],
  ])('when %s, then it answers 400 invalid_request_error saying %s', async (_, extra, message) => {
    const response = await postMessages(extra);

    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain(message);
  });

  it.each<[string, Record<string, unknown>]>([
    [
      'a whole tool round trip with thinking, system blocks, metadata and top_k',
      {
        system: [{ type: 'text', text: 'Be brief.' }],
        messages: [
          user,
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Weather first.', signature: 'c2ln' },
              { type: 'redacted_thinking', data: 'cmVkYWN0ZWQ=' },
              toolUse,
            ],
          },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 'toolu_a',
                content: [{ type: 'text', text: 'sunny' }],
                is_error: false,
              },
            ],
          },
        ],
        tools: anthropicTools,
        tool_choice: { type: 'auto', disable_parallel_tool_use: true },
        thinking,
        metadata: { user_id: 'user-1' },
        top_k: 5,
      },
    ],
    [
      'two user messages in a row, which Anthropic combines into one turn',
      { messages: [user, user] },
    ],
    ['an https image URL', anthropicImage({ type: 'url', url: 'https://example.com/cat.png' })],
    [
      'a forced tool without thinking',
      { tools: anthropicTools, tool_choice: { type: 'tool', name: 'get_weather' } },
    ],
  ])('when %s, then it answers 200', async (_, extra) => {
    expect((await postMessages(extra)).status).toBe(200);
  });
});
