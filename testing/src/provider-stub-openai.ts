// The OpenAI side of the provider stub: Chat Completions (plain and streamed), the model list,
// Bearer-key checks and OpenAI's `{ error: { message, type, param, code } }` error shape.
import {
  countStubTokens,
  isRecord,
  planReply,
  runStream,
  sendJson,
  type StubExchange,
  type StubProvider,
} from './provider-stub-core.js';

/** The models `GET /v1/models` lists (any model name is accepted by the chat endpoint). */
export const STUB_OPENAI_MODELS = ['gpt-stub', 'gpt-stub-mini'] as const;

interface OpenAIErrorDetails {
  type?: string;
  param?: string | null;
  code?: string | null;
  headers?: Record<string, string>;
}

function defaultType(status: number): string {
  if (status === 429) return 'rate_limit_exceeded';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function defaultMessage(status: number): string {
  if (status === 429) return 'Rate limit reached for requests. Please try again later.';
  if (status === 503) return 'The engine is currently overloaded, please try again later.';
  if (status >= 500)
    return 'The server had an error while processing your request. Sorry about that!';
  return `Request failed with status ${status}.`;
}

function sendOpenAIError(
  ex: StubExchange,
  status: number,
  message: string,
  details: OpenAIErrorDetails = {},
): void {
  const error = {
    message,
    type: details.type ?? defaultType(status),
    param: details.param ?? null,
    code: details.code ?? (status === 429 ? 'rate_limit_exceeded' : null),
  };
  sendJson(ex, status, { error }, { 'x-request-id': ex.requestId, ...details.headers });
}

/** Text of a message `content`: a string, or the text parts of an array of parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .filter((text) => text.length > 0)
    .join('\n');
}

/** Returns false (after answering 401) when the Bearer key is missing or not the expected one. */
function authenticate(ex: StubExchange): boolean {
  const header = ex.req.headers.authorization ?? '';
  const key = /^Bearer\s+(\S.*)$/i.exec(header)?.[1]?.trim();
  if (!key && ex.keyless) return true;
  if (!key) {
    sendOpenAIError(
      ex,
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
    return false;
  }
  if (ex.apiKey !== undefined && key !== ex.apiKey) {
    const masked = key.length > 8 ? `${key.slice(0, 3)}...${key.slice(-4)}` : '***';
    sendOpenAIError(ex, 401, `Incorrect API key provided: ${masked}.`, { code: 'invalid_api_key' });
    return false;
  }
  return true;
}

function listModels(ex: StubExchange): void {
  const data = STUB_OPENAI_MODELS.map((id) => ({
    id,
    object: 'model',
    created: 1_700_000_000,
    owned_by: 'provider-stub',
  }));
  sendJson(ex, 200, { object: 'list', data }, { 'x-request-id': ex.requestId });
}

function invalid(ex: StubExchange, message: string, param: string | null, code: string | null) {
  sendOpenAIError(ex, 400, message, { param, code });
}

function positiveInt(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

async function chatCompletion(ex: StubExchange): Promise<void> {
  const body = ex.record.body;
  if (!isRecord(body)) {
    return invalid(
      ex,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
      null,
      null,
    );
  }
  const { model, messages } = body;
  if (typeof model !== 'string' || model.length === 0) {
    return invalid(ex, 'you must provide a model parameter', null, null);
  }
  if (!Array.isArray(messages)) {
    return invalid(
      ex,
      "Missing required parameter: 'messages'.",
      'messages',
      'missing_required_parameter',
    );
  }
  if (messages.length === 0) {
    return invalid(
      ex,
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  const badIndex = messages.findIndex((m) => !isRecord(m) || typeof m.role !== 'string');
  if (badIndex !== -1) {
    return invalid(
      ex,
      `Missing required parameter: 'messages[${badIndex}].role'.`,
      `messages[${badIndex}].role`,
      'missing_required_parameter',
    );
  }
  const limit = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  if (limit !== undefined && !positiveInt(limit)) {
    const param = body.max_completion_tokens == null ? 'max_tokens' : 'max_completion_tokens';
    return invalid(ex, `Invalid '${param}': must be a positive integer.`, param, 'invalid_value');
  }
  const { stop } = body;
  const stops = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : [];
  if (stop != null && !stops.every((s): s is string => typeof s === 'string')) {
    return invalid(ex, "Invalid 'stop': expected a string or an array of strings.", 'stop', null);
  }

  const typed = messages as Record<string, unknown>[];
  const lastUser = typed.findLast((m) => m.role === 'user');
  const plan = planReply(lastUser ? contentText(lastUser.content) : '', {
    maxTokens: limit as number | undefined,
    stop: stops as string[],
  });
  const promptTokens = countStubTokens(typed.map((m) => contentText(m.content)).join('\n'));
  const usage =
    ex.fault?.kind === 'partial-usage'
      ? { prompt_tokens: promptTokens }
      : {
          prompt_tokens: promptTokens,
          completion_tokens: plan.completionTokens,
          total_tokens: promptTokens + plan.completionTokens,
        };
  const withUsage = ex.fault?.kind !== 'no-usage';
  const finishReason = plan.reason === 'length' ? 'length' : 'stop';
  const id = `chatcmpl-${ex.requestId}`;
  const created = Math.floor(Date.now() / 1000);
  const headers = { 'x-request-id': ex.requestId };

  if (body.stream !== true) {
    const completion = {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: plan.text, refusal: null },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      ...(withUsage ? { usage } : {}),
      system_fingerprint: null,
    };
    return sendJson(ex, 200, completion, headers);
  }

  const streamOptions = body.stream_options;
  const includeUsage = isRecord(streamOptions) && streamOptions.include_usage === true;
  const frame = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: null,
      choices,
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    })}\n\n`;
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });
  const tail = [frame([choice({}, finishReason)])];
  if (includeUsage && withUsage) tail.push(frame([], { usage }));
  tail.push('data: [DONE]\n\n');
  await runStream(ex, plan.chunks, {
    headers,
    head: [frame([choice({ role: 'assistant', content: '', refusal: null })])],
    content: (chunk) => frame([choice({ content: chunk })]),
    tail,
    errorEvent: `data: ${JSON.stringify({
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    })}\n\n`,
    malformedEvent: 'data: {not json\n\n',
  });
}

export const openaiProvider: StubProvider = {
  async handle(ex) {
    if (!authenticate(ex)) return;
    const { method, path } = ex.record;
    if (path === '/v1/chat/completions') {
      if (method !== 'POST') return sendOpenAIError(ex, 405, `Method ${method} not allowed.`);
      return chatCompletion(ex);
    }
    if (path === '/v1/models') {
      if (method !== 'GET') return sendOpenAIError(ex, 405, `Method ${method} not allowed.`);
      return listModels(ex);
    }
    sendOpenAIError(ex, 404, `Invalid URL (${method} ${path})`, { code: 'unknown_url' });
  },
  sendError(ex, status, message, headers) {
    sendOpenAIError(ex, status, message ?? defaultMessage(status), {
      ...(headers ? { headers } : {}),
    });
  },
};
