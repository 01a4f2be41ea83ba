// The Anthropic side of the provider stub: the Messages API (plain and streamed with named SSE
// events: thinking, text and tool_use blocks), the model list, key checks and Anthropic's
// `{ type: 'error', error }` error shape. provider-stub-anthropic-request.ts reads the request.
import { readMessagesRequest } from './provider-stub-anthropic-request.js';
import {
  runStream,
  sendJson,
  type StreamEvent,
  type StubExchange,
  type StubProvider,
} from './provider-stub-core.js';
import { planAnswer, type AnswerPlan } from './provider-stub-reply.js';

/** The models `GET /v1/models` lists (any model name is accepted by the messages endpoint). */
export const STUB_ANTHROPIC_MODELS = ['claude-stub', 'claude-stub-haiku'] as const;

function errorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

function defaultMessage(status: number): string {
  if (status === 429) return 'Number of requests has exceeded your rate limit.';
  if (status === 529) return 'Overloaded';
  if (status >= 500) return 'Internal server error';
  return `Request failed with status ${status}.`;
}

function sendAnthropicError(
  ex: StubExchange,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = {
    type: 'error',
    error: { type: errorType(status), message },
    request_id: ex.requestId,
  };
  sendJson(ex, status, body, { 'request-id': ex.requestId, ...headers });
}

/**
 * Returns false (after answering 401) when no key came, or not the expected one. The key is
 * read from `x-api-key`, or from `Authorization: Bearer`, which the v1 SDK sends for `apiKey`.
 */
function authenticate(ex: StubExchange): boolean {
  const { headers } = ex.req;
  const headerKey = typeof headers['x-api-key'] === 'string' ? headers['x-api-key'].trim() : '';
  const bearer = /^Bearer\s+(\S.*)$/i.exec(headers.authorization ?? '')?.[1]?.trim() ?? '';
  const key = headerKey || bearer;
  if (!key) {
    sendAnthropicError(ex, 401, 'x-api-key header is required');
    return false;
  }
  if (ex.apiKey !== undefined && key !== ex.apiKey) {
    sendAnthropicError(ex, 401, 'invalid x-api-key');
    return false;
  }
  return true;
}

function listModels(ex: StubExchange): void {
  const data = STUB_ANTHROPIC_MODELS.map((id) => ({
    type: 'model',
    id,
    display_name: id,
    created_at: '2025-01-01T00:00:00Z',
  }));
  const body = {
    data,
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
  sendJson(ex, 200, body, { 'request-id': ex.requestId });
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

const STOP_REASONS = {
  end: 'end_turn',
  stop: 'stop_sequence',
  length: 'max_tokens',
  tool_calls: 'tool_use',
} as const;

/** Anthropic's answers always hold parsed tool input, so invalid scripted JSON cannot be sent. */
function parseInputs(plan: AnswerPlan): unknown[] | string {
  const inputs: unknown[] = [];
  for (const call of plan.toolCalls) {
    try {
      inputs.push(call.arguments === '' ? {} : JSON.parse(call.arguments));
    } catch {
      return `provider stub: the scripted arguments of tool call ${call.id} are not valid JSON, which a non-streaming Anthropic answer cannot carry (stream it instead): ${call.arguments}`;
    }
  }
  return inputs;
}

async function createMessage(ex: StubExchange): Promise<void> {
  const read = readMessagesRequest(ex.record.body);
  if ('invalid' in read) return sendAnthropicError(ex, 400, read.invalid);
  const { request } = read;
  const { model } = request;
  const plan = planAnswer(ex.reply, {
    lastUserMessage: request.lastUserText,
    maxTokens: request.maxTokens,
    stop: request.stop,
    idPrefix: 'toolu_',
    requestId: ex.requestId,
    reasoning: request.thinking,
    forcedTool: request.forcedTool,
  });
  const withUsage = ex.fault?.kind !== 'no-usage';
  // Cache reads and writes are counted apart from input_tokens, unlike OpenAI's prompt_tokens.
  const inputUsage = {
    input_tokens: request.inputTokens,
    cache_creation_input_tokens: plan.cacheWriteTokens,
    cache_read_input_tokens: plan.cachedInputTokens,
  };
  const outputUsage = {
    output_tokens: plan.completionTokens,
    ...(plan.reasoningTokens > 0
      ? { output_tokens_details: { thinking_tokens: plan.reasoningTokens } }
      : {}),
  };
  const stopReason = STOP_REASONS[plan.reason];
  const stopSequence = plan.text.stopSequence;
  const signature = Buffer.from(`provider-stub signature ${ex.requestId}`).toString('base64');
  const withText = plan.text.text !== '' || plan.toolCalls.length === 0;
  const id = `msg_${ex.requestId}`;
  const headers = { 'request-id': ex.requestId };

  if (!request.stream) {
    const inputs = parseInputs(plan);
    if (typeof inputs === 'string') return sendAnthropicError(ex, 500, inputs);
    const message = {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [
        ...(plan.reasoning ? [{ type: 'thinking', thinking: plan.reasoning, signature }] : []),
        ...(withText ? [{ type: 'text', text: plan.text.text }] : []),
        ...plan.toolCalls.map((call, i) => ({
          type: 'tool_use',
          id: call.id,
          name: call.name,
          input: inputs[i],
        })),
      ],
      stop_reason: stopReason,
      stop_sequence: stopSequence,
      ...(withUsage ? { usage: { ...inputUsage, ...outputUsage } } : {}),
    };
    return sendJson(ex, 200, message, headers);
  }

  const start = {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    ...(withUsage ? { usage: { ...inputUsage, output_tokens: 1 } } : {}),
  };
  const body: StreamEvent[] = [];
  const event = (name: string, data: unknown, content = false) =>
    body.push({ data: sse(name, data), content });
  // One content block: its start (the first followed by a ping, as Anthropic sends), its deltas
  // (the content chunks, and the thinking block's signature) and its stop.
  let blocks = 0;
  const addBlock = (contentBlock: object, deltas: { delta: object; content: boolean }[]) => {
    const index = blocks;
    blocks += 1;
    event('content_block_start', {
      type: 'content_block_start',
      index,
      content_block: contentBlock,
    });
    if (index === 0) event('ping', { type: 'ping' });
    for (const { delta, content } of deltas) {
      event('content_block_delta', { type: 'content_block_delta', index, delta }, content);
    }
    event('content_block_stop', { type: 'content_block_stop', index });
  };
  if (plan.reasoning) {
    addBlock({ type: 'thinking', thinking: '', signature: '' }, [
      ...plan.reasoningChunks.map((thinking) => ({
        delta: { type: 'thinking_delta', thinking },
        content: true,
      })),
      { delta: { type: 'signature_delta', signature }, content: false },
    ]);
  }
  if (withText) {
    addBlock(
      { type: 'text', text: '' },
      plan.text.chunks.map((text) => ({ delta: { type: 'text_delta', text }, content: true })),
    );
  }
  for (const call of plan.toolCalls) {
    addBlock(
      { type: 'tool_use', id: call.id, name: call.name, input: {} },
      call.fragments.map((partial_json) => ({
        delta: { type: 'input_json_delta', partial_json },
        content: true,
      })),
    );
  }
  await runStream(ex, {
    headers,
    head: [sse('message_start', { type: 'message_start', message: start })],
    body,
    tail: [
      sse('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: stopSequence },
        ...(withUsage ? { usage: outputUsage } : {}),
      }),
      sse('message_stop', { type: 'message_stop' }),
    ],
    errorEvent: sse('error', {
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    }),
    malformedEvent: 'event: content_block_delta\ndata: {not json\n\n',
  });
}

export const anthropicProvider: StubProvider = {
  async handle(ex) {
    if (!authenticate(ex)) return;
    const { method, path } = ex.record;
    if (path === '/v1/messages') {
      if (method !== 'POST') return sendAnthropicError(ex, 405, `Method ${method} not allowed`);
      return createMessage(ex);
    }
    if (path === '/v1/models') {
      if (method !== 'GET') return sendAnthropicError(ex, 405, `Method ${method} not allowed`);
      return listModels(ex);
    }
    sendAnthropicError(ex, 404, `Not found: ${method} ${path}`);
  },
  sendError(ex, status, message, headers) {
    sendAnthropicError(ex, status, message ?? defaultMessage(status), headers);
  },
};
