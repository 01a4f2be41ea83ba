// The Anthropic side of the provider stub: the Messages API (plain and streamed with named SSE
// events), the model list, key checks and Anthropic's `{ type: 'error', error }` error shape.
import {
  countStubTokens,
  isRecord,
  planReply,
  runStream,
  sendJson,
  type StubExchange,
  type StubProvider,
} from './provider-stub-core.js';

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

/** Text of a message `content` or of `system`: a string, or the text blocks of an array. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) =>
      isRecord(block) && block.type === 'text' && typeof block.text === 'string' ? block.text : '',
    )
    .filter((text) => text.length > 0)
    .join('\n');
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

async function createMessage(ex: StubExchange): Promise<void> {
  const body = ex.record.body;
  const invalid = (message: string) => sendAnthropicError(ex, 400, message);
  if (!isRecord(body)) return invalid('The request body is not valid JSON.');
  const { model, messages, max_tokens: maxTokens, stop_sequences: stopSequences } = body;
  if (typeof model !== 'string' || model.length === 0) return invalid('model: Field required');
  if (!Array.isArray(messages)) return invalid('messages: Field required');
  if (messages.length === 0) return invalid('messages: at least one message is required');
  if (maxTokens === undefined) return invalid('max_tokens: Field required');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return invalid('max_tokens: Input should be a valid integer greater than or equal to 1');
  }
  for (const [index, message] of messages.entries()) {
    const role: unknown = isRecord(message) ? message.role : undefined;
    if (role === 'system') {
      return invalid(
        'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.',
      );
    }
    if (role !== 'user' && role !== 'assistant') {
      return invalid(`messages.${index}.role: Input should be 'user' or 'assistant'`);
    }
  }
  if (
    stopSequences !== undefined &&
    !(Array.isArray(stopSequences) && stopSequences.every((s) => typeof s === 'string'))
  ) {
    return invalid('stop_sequences: Input should be a valid list of strings');
  }

  const typed = messages as Record<string, unknown>[];
  const lastUser = typed.findLast((m) => m.role === 'user');
  const plan = planReply(lastUser ? contentText(lastUser.content) : '', {
    maxTokens,
    stop: stopSequences as string[] | undefined,
  });
  const texts = typed.map((m) => contentText(m.content));
  const system = contentText(body.system);
  const inputTokens = countStubTokens((system ? [system, ...texts] : texts).join('\n'));
  const withUsage = ex.fault?.kind !== 'no-usage';
  const stopReason =
    plan.reason === 'length' ? 'max_tokens' : plan.reason === 'stop' ? 'stop_sequence' : 'end_turn';
  const id = `msg_${ex.requestId}`;
  const headers = { 'request-id': ex.requestId };

  if (body.stream !== true) {
    const message = {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: plan.text }],
      stop_reason: stopReason,
      stop_sequence: plan.stopSequence,
      ...(withUsage
        ? { usage: { input_tokens: inputTokens, output_tokens: plan.completionTokens } }
        : {}),
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
    ...(withUsage ? { usage: { input_tokens: inputTokens, output_tokens: 1 } } : {}),
  };
  await runStream(ex, plan.chunks, {
    headers,
    head: [
      sse('message_start', { type: 'message_start', message: start }),
      sse('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      }),
      sse('ping', { type: 'ping' }),
    ],
    content: (text) =>
      sse('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text },
      }),
    tail: [
      sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
      sse('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: plan.stopSequence },
        ...(withUsage ? { usage: { output_tokens: plan.completionTokens } } : {}),
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
