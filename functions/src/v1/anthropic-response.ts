// ColonyCraft's answers in the shapes of Anthropic's Messages API: a whole message, its stop
// reason and usage, and every error on `/v1/messages` as `{ type: 'error', error }` with the
// status Anthropic gives that error type, each built in one place.
import type { Response } from 'express';
import { type ChatResult, type FinishReason, type Usage } from '@colonycraft/protocol';
import { GatewayError, type GatewayErrorKind } from '../errors.js';
import { exhaustedHeaders } from '../limits/refusal.js';

export type StopReason = 'end_turn' | 'stop_sequence' | 'max_tokens' | 'tool_use' | 'refusal';

/**
 * The unified finish as Anthropic's stop reason and stop sequence. `stop` is `stop_sequence`
 * when the provider said which sequence ended the answer (Anthropic does; OpenAI does not, so
 * an OpenAI model's answer cut by a stop sequence ends `end_turn`).
 */
export function stopOf(
  reason: FinishReason,
  stopSequence?: string,
): { stop_reason: StopReason; stop_sequence: string | null } {
  switch (reason) {
    case 'length':
      return { stop_reason: 'max_tokens', stop_sequence: null };
    case 'tool-calls':
      return { stop_reason: 'tool_use', stop_sequence: null };
    case 'content-filter':
      return { stop_reason: 'refusal', stop_sequence: null };
    default:
      return stopSequence !== undefined
        ? { stop_reason: 'stop_sequence', stop_sequence: stopSequence }
        : { stop_reason: 'end_turn', stop_sequence: null };
  }
}

/** Anthropic counts cache reads and writes apart from `input_tokens`; the unified count holds them. */
export function anthropicUsage(usage: Usage) {
  const read = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.inputTokens - read - written),
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: read,
    ...(usage.reasoningTokens !== undefined
      ? { output_tokens_details: { thinking_tokens: usage.reasoningTokens } }
      : {}),
  };
}

/**
 * A tool call's arguments as the `input` object Anthropic's clients expect. Arguments that are
 * not JSON (a model can write anything) are given as the text they are, never as `{}`.
 */
export function inputOf(args: string): unknown {
  if (args === '') return {};
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return args;
  }
}

/** The whole answer as a message: thinking, then text, then tool calls, as Anthropic orders them. */
export function message(id: string, result: ChatResult) {
  const { reasoning, toolCalls = [] } = result;
  return {
    id,
    type: 'message' as const,
    role: 'assistant' as const,
    model: result.model,
    content: [
      ...(reasoning
        ? [
            {
              type: 'thinking' as const,
              thinking: reasoning.text,
              signature: reasoning.signature ?? '',
            },
          ]
        : []),
      ...(result.text !== '' || toolCalls.length === 0
        ? [{ type: 'text' as const, text: result.text }]
        : []),
      ...toolCalls.map((call) => ({
        type: 'tool_use' as const,
        id: call.id,
        name: call.name,
        input: inputOf(call.arguments),
      })),
    ],
    ...stopOf(result.finishReason, result.stopSequence),
    usage: anthropicUsage(result.usage),
  };
}

type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

export interface AnthropicError {
  status: number;
  headers: Record<string, string>;
  body: { type: 'error'; error: { type: ErrorType; message: string } };
}

const build = (
  status: number,
  type: ErrorType,
  message: string,
  headers: Record<string, string> = {},
): AnthropicError => ({ status, headers, body: { type: 'error', error: { type, message } } });

const KINDS: Record<GatewayErrorKind, [number, ErrorType]> = {
  'invalid-argument': [400, 'invalid_request_error'],
  unauthenticated: [401, 'authentication_error'],
  'permission-denied': [403, 'permission_error'],
  'not-found': [404, 'not_found_error'],
  'resource-exhausted': [429, 'rate_limit_error'],
  unavailable: [503, 'api_error'],
  'failed-precondition': [503, 'api_error'],
  cancelled: [499, 'api_error'],
};

/**
 * A gateway error as Anthropic would answer it. A refusal (the limiter's, or a provider still
 * rate-limiting after the gateway's retries) carries its Retry-After. An overloaded provider
 * (529, 503, or an `overloaded_error` mid-stream) is a 529 `overloaded_error`.
 */
export function anthropicErrorOf(error: GatewayError): AnthropicError {
  const details = error.details ?? {};
  if (error.kind === 'resource-exhausted')
    return build(429, 'rate_limit_error', error.message, exhaustedHeaders(details));
  if (
    error.kind === 'unavailable' &&
    (details.status === 529 || details.status === 503 || details.code === 'overloaded_error')
  )
    return build(529, 'overloaded_error', error.message);
  const [status, type] = KINDS[error.kind];
  return build(status, type, error.message);
}

/** Anything thrown on these routes as Anthropic's error; unknown errors say nothing of themselves. */
export function anthropicErrorFrom(error: unknown): AnthropicError {
  if (error instanceof GatewayError) return anthropicErrorOf(error);
  // Express's own refusals of the body: too large (413), or not JSON.
  const status = (error as { status?: unknown }).status;
  if (status === 413) return build(413, 'request_too_large', `body: ${(error as Error).message}`);
  if (typeof status === 'number' && status >= 400 && status < 500)
    return build(400, 'invalid_request_error', `body: ${(error as Error).message}`);
  console.error('v1/messages: unexpected error', error);
  return build(500, 'api_error', 'Something went wrong on our side.');
}

export function sendAnthropicError(res: Response, error: unknown): void {
  const { status, headers, body } = anthropicErrorFrom(error);
  res.status(status).set(headers).json(body);
}
