// The OpenAI side of the provider stub: Chat Completions (plain and streamed, with tool calls and
// reasoning), the model list, Bearer-key checks and OpenAI's `{ error: { message, type, param,
// code } }` error shape. provider-stub-openai-request.ts reads and checks the request.
import {
  runStream,
  sendJson,
  type StreamEvent,
  type StubExchange,
  type StubProvider,
} from './provider-stub-core.js';
import { readChatRequest, type ChatRequest } from './provider-stub-openai-request.js';
import { embeddings } from './provider-stub-embeddings.js';
import { planAnswer, type AnswerPlan, type StubToolCall } from './provider-stub-reply.js';

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

/** The usage OpenAI reports: cached and cache-write tokens are part of `prompt_tokens`. */
function usageOf(ex: StubExchange, request: ChatRequest, plan: AnswerPlan) {
  const promptTokens = request.promptTokens + plan.cachedInputTokens + plan.cacheWriteTokens;
  if (ex.fault?.kind === 'partial-usage') return { prompt_tokens: promptTokens };
  return {
    prompt_tokens: promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: promptTokens + plan.completionTokens,
    ...(plan.cachedInputTokens > 0
      ? { prompt_tokens_details: { cached_tokens: plan.cachedInputTokens } }
      : {}),
    ...(plan.reasoningTokens > 0
      ? { completion_tokens_details: { reasoning_tokens: plan.reasoningTokens } }
      : {}),
  };
}

const FINISH_REASONS: Record<AnswerPlan['reason'], string> = {
  end: 'stop',
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
};

/** OpenAI sends `content: null`, not '', when an answer is only tool calls. */
const contentOf = (plan: AnswerPlan) =>
  plan.text.text === '' && plan.toolCalls.length > 0 ? null : plan.text.text;

async function chatCompletion(ex: StubExchange): Promise<void> {
  const read = readChatRequest(ex.record.body);
  if (!('request' in read)) {
    return sendOpenAIError(ex, 400, read.message, { param: read.param, code: read.code });
  }
  const { request } = read;
  const { model } = request;
  const plan = planAnswer(ex.reply, {
    lastUserMessage: request.lastUserText,
    maxTokens: request.maxTokens,
    stop: request.stop,
    idPrefix: 'call_',
    requestId: ex.requestId,
    reasoning: true,
    forcedTool: request.forcedTool,
  });
  const usage = usageOf(ex, request, plan);
  const withUsage = ex.fault?.kind !== 'no-usage';
  const finishReason = FINISH_REASONS[plan.reason];
  const id = `chatcmpl-${ex.requestId}`;
  const created = Math.floor(Date.now() / 1000);
  const headers = { 'x-request-id': ex.requestId };

  if (!request.stream) {
    const message = {
      role: 'assistant',
      content: contentOf(plan),
      refusal: null,
      ...(plan.reasoning ? { reasoning_content: plan.reasoning } : {}),
      ...(plan.toolCalls.length > 0
        ? {
            tool_calls: plan.toolCalls.map((call) => ({
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: call.arguments },
            })),
          }
        : {}),
    };
    const completion = {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      ...(withUsage ? { usage } : {}),
      system_fingerprint: null,
    };
    return sendJson(ex, 200, completion, headers);
  }

  const { includeUsage } = request;
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
  const delta = (fields: Record<string, unknown>, content: boolean): StreamEvent => ({
    data: frame([choice(fields)]),
    content,
  });
  const firstDelta = (call: StubToolCall, index: number) => ({
    index,
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: '' },
  });
  const body: StreamEvent[] = [
    ...plan.reasoningChunks.map((chunk) => delta({ reasoning_content: chunk }, true)),
    ...plan.text.chunks.map((chunk) => delta({ content: chunk }, true)),
  ];
  // Each call's first delta (id, name, empty arguments) opens it; then its argument fragments.
  const oneChunk = ex.reply?.toolCallsInOneChunk === true && plan.toolCalls.length > 0;
  if (oneChunk) body.push(delta({ tool_calls: plan.toolCalls.map(firstDelta) }, false));
  for (const [index, call] of plan.toolCalls.entries()) {
    if (!oneChunk) body.push(delta({ tool_calls: [firstDelta(call, index)] }, false));
    for (const fragment of call.fragments) {
      body.push(delta({ tool_calls: [{ index, function: { arguments: fragment } }] }, true));
    }
  }
  const tail = [frame([choice({}, finishReason)])];
  if (includeUsage && withUsage) tail.push(frame([], { usage }));
  tail.push('data: [DONE]\n\n');
  await runStream(ex, {
    headers,
    head: [
      frame([
        choice({ role: 'assistant', content: contentOf(plan) === null ? null : '', refusal: null }),
      ]),
    ],
    body,
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
    if (path === '/v1/embeddings') {
      if (method !== 'POST') return sendOpenAIError(ex, 405, `Method ${method} not allowed.`);
      return embeddings(ex, (status, message, param) =>
        sendOpenAIError(ex, status, message, { param }),
      );
    }
    sendOpenAIError(ex, 404, `Invalid URL (${method} ${path})`, { code: 'unknown_url' });
  },
  sendError(ex, status, message, headers) {
    sendOpenAIError(ex, status, message ?? defaultMessage(status), {
      ...(headers ? { headers } : {}),
    });
  },
};
