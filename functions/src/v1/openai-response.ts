// ColonyCraft's answers in OpenAI's shapes: completions, stream chunks and errors, each built
// in one place.
import type {
  CatalogModel,
  ChatChunk,
  ChatResult,
  FinishReason,
  ToolCall,
  Usage,
} from '@colonycraft/protocol';
import type { GatewayError, GatewayErrorKind } from '../errors.js';

export type OpenAIFinish = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export function openaiFinish(reason: FinishReason): OpenAIFinish {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function openaiUsage(usage: Usage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    ...(usage.cachedInputTokens !== undefined
      ? { prompt_tokens_details: { cached_tokens: usage.cachedInputTokens } }
      : {}),
    ...(usage.reasoningTokens !== undefined
      ? { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }
      : {}),
  };
}

function openaiToolCall({ id, name, arguments: args }: ToolCall) {
  return { id, type: 'function' as const, function: { name, arguments: args } };
}

/**
 * The whole answer as a completion. Its content is null when it only calls tools, as OpenAI's
 * is; reasoning text, which Chat Completions has no field for, travels as `reasoning_content`
 * (the field compatible servers and other gateways use).
 */
export function completion(id: string, created: number, result: ChatResult) {
  const { toolCalls, reasoning } = result;
  return {
    id,
    object: 'chat.completion' as const,
    created,
    model: result.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: result.text === '' && toolCalls?.length ? null : result.text,
          refusal: null,
          ...(toolCalls?.length ? { tool_calls: toolCalls.map(openaiToolCall) } : {}),
          ...(reasoning ? { reasoning_content: reasoning.text } : {}),
        },
        logprobs: null,
        finish_reason: openaiFinish(result.finishReason),
      },
    ],
    usage: openaiUsage(result.usage),
  };
}

interface Delta {
  role?: 'assistant';
  /** Null only in the role chunk of an answer that opens with a tool call, as OpenAI sends it. */
  content?: string | null;
  reasoning_content?: string;
  tool_calls?: {
    index: number;
    id?: string;
    type?: 'function';
    function: { name?: string; arguments: string };
  }[];
}

/** The delta an event adds to the stream, if any (usage and errors travel otherwise). */
export function deltaOf(event: ChatChunk): Delta | undefined {
  switch (event.type) {
    case 'text-delta':
      return { content: event.text };
    case 'reasoning-delta':
      return { reasoning_content: event.text };
    case 'tool-call-start':
      return {
        tool_calls: [
          {
            index: event.index,
            id: event.id,
            type: 'function',
            function: { name: event.name, arguments: '' },
          },
        ],
      };
    case 'tool-call-delta':
      return {
        tool_calls: [{ index: event.index, function: { arguments: event.argumentsDelta } }],
      };
    default:
      return undefined;
  }
}

export function chunk(
  id: string,
  created: number,
  model: string,
  delta: Delta,
  finish: FinishReason | null = null,
) {
  return {
    id,
    object: 'chat.completion.chunk' as const,
    created,
    model,
    choices: [
      {
        index: 0,
        delta,
        logprobs: null,
        finish_reason: finish === null ? null : openaiFinish(finish),
      },
    ],
  };
}

export function usageChunk(id: string, created: number, model: string, usage: Usage) {
  return {
    id,
    object: 'chat.completion.chunk' as const,
    created,
    model,
    choices: [],
    usage: openaiUsage(usage),
  };
}

export function modelList(models: readonly CatalogModel[], aliases: readonly { id: string }[]) {
  return {
    object: 'list' as const,
    data: [
      // `capabilities` is ours: what the model takes beyond text (tools, vision, …).
      ...models.map((m) => ({
        id: m.id,
        object: 'model' as const,
        created: 0,
        owned_by: m.provider,
        capabilities: m.capabilities,
      })),
      ...aliases.map((a) => ({
        id: a.id,
        object: 'model' as const,
        created: 0,
        owned_by: 'colonycraft',
      })),
    ],
  };
}

const STATUS: Record<GatewayErrorKind | 'internal', { status: number; type: string }> = {
  'invalid-argument': { status: 400, type: 'invalid_request_error' },
  unauthenticated: { status: 401, type: 'authentication_error' },
  'permission-denied': { status: 403, type: 'permission_error' },
  'not-found': { status: 404, type: 'not_found_error' },
  'resource-exhausted': { status: 429, type: 'rate_limit_error' },
  unavailable: { status: 503, type: 'api_error' },
  // The instance is misconfigured, not the request wrong: the caller can only try later.
  'failed-precondition': { status: 503, type: 'api_error' },
  cancelled: { status: 499, type: 'api_error' },
  internal: { status: 500, type: 'api_error' },
};

/** `{ error: { message, type, param, code } }`, with `param` the field path a 400 names. */
export function errorBody(
  kind: GatewayErrorKind | 'internal',
  message: string,
  code: string | null = null,
) {
  const param = kind === 'invalid-argument' ? (/^([\w.]+): /.exec(message)?.[1] ?? null) : null;
  return {
    status: STATUS[kind].status,
    body: { error: { message, type: STATUS[kind].type, param, code } },
  };
}

export function errorFromGateway(error: GatewayError) {
  const code = typeof error.details?.code === 'string' ? error.details.code : kindCode(error.kind);
  return errorBody(error.kind, error.message, code);
}

function kindCode(kind: GatewayErrorKind): string {
  return kind.replace('-', '_');
}
