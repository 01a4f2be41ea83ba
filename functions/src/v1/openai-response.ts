// ColonyCraft's answers in OpenAI's shapes: completions, stream chunks and errors, each built
// in one place.
import type { CatalogModel, FinishReason, Usage } from '@colonycraft/protocol';
import type { GatewayError, GatewayErrorKind } from '../errors.js';

export type OpenAIFinish = 'stop' | 'length' | 'content_filter';

export function openaiFinish(reason: FinishReason): OpenAIFinish {
  return reason === 'length' ? 'length' : reason === 'content-filter' ? 'content_filter' : 'stop';
}

export function openaiUsage(usage: Usage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

export function completion(
  id: string,
  created: number,
  model: string,
  text: string,
  finish: FinishReason,
  usage: Usage,
) {
  return {
    id,
    object: 'chat.completion' as const,
    created,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: text, refusal: null },
        logprobs: null,
        finish_reason: openaiFinish(finish),
      },
    ],
    usage: openaiUsage(usage),
  };
}

export function chunk(
  id: string,
  created: number,
  model: string,
  delta: { role?: 'assistant'; content?: string },
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
      ...models.map((m) => ({
        id: m.id,
        object: 'model' as const,
        created: 0,
        owned_by: m.provider,
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
