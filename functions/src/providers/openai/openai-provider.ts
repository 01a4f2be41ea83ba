// The OpenAI adapter: the unified request as a streamed Chat Completions call through the official
// SDK, and its chunks back as unified events. OpenAI-compatible servers reuse it with their own id.
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { FinishReason } from '@colonycraft/protocol';
import type { ModelInfo, Provider } from '../provider.js';
import * as kit from '../kit.js';
import { isTokenCount } from '../usage.js';
import { openaiBody } from './openai-body.js';
import { mapOpenAIError } from './openai-errors.js';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAIProviderOptions {
  /** Default `openai`; compatible servers pass their own. */
  id?: string;
  apiKey: string;
  /** Default {@link OPENAI_BASE_URL}; never read from the environment. */
  baseURL?: string;
  models: readonly ModelInfo[];
  fetch?: typeof fetch;
  defaultHeaders?: Record<string, string>;
  /**
   * OpenAI deprecated `max_tokens` and its reasoning models reject it, so OpenAI itself gets
   * `max_completion_tokens`; most compatible servers only know `max_tokens`.
   * Default: `max_completion_tokens` when the id is `openai`, else `max_tokens`.
   */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
  /**
   * Whether to ask for usage with `stream_options.include_usage`. Default true; Mistral rejects
   * the field (422) and sends usage unasked.
   */
  streamOptions?: boolean;
}

const FINISH_REASONS: Partial<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
};

/** A chunk's delta, with the reasoning text compatible servers (DeepSeek, vLLM) add to it. */
type Delta = ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null };

/** One chunk as events: reasoning, text, tool calls; its usage and finish reason into `state`. */
function readChunk(chunk: ChatCompletionChunk, state: kit.UpstreamState): kit.ContentEvent[] {
  // Some servers repeat usage on every chunk; the last one is the total. Counts that are missing
  // or malformed (compatible servers vary) leave both to the estimate.
  const counted = chunk.usage as Partial<typeof chunk.usage> | null | undefined;
  if (isTokenCount(counted?.prompt_tokens) && isTokenCount(counted.completion_tokens)) {
    state.inputTokens = counted.prompt_tokens;
    state.outputTokens = counted.completion_tokens;
    const cached = counted.prompt_tokens_details?.cached_tokens;
    const reasoning = counted.completion_tokens_details?.reasoning_tokens;
    if (isTokenCount(cached)) state.cachedInputTokens = cached;
    if (isTokenCount(reasoning)) state.reasoningTokens = reasoning;
  }
  const choice = chunk.choices[0];
  // Without a finish_reason the answer is incomplete.
  if (choice?.finish_reason) {
    state.finish = FINISH_REASONS[choice.finish_reason] ?? 'stop';
    state.complete = true;
  }
  const delta = choice?.delta as Delta | undefined;
  if (!delta) return [];
  const events: kit.ContentEvent[] = [];
  if (delta.reasoning_content)
    events.push({ type: 'reasoning-delta', text: delta.reasoning_content });
  if (delta.content) events.push({ type: 'text-delta', text: delta.content });
  // Several calls may share a chunk; a call's first delta names it, the rest add arguments.
  for (const call of delta.tool_calls ?? []) {
    let index = state.toolCalls.get(call.index);
    if (index === undefined) {
      index = state.toolCalls.size;
      state.toolCalls.set(call.index, index);
      events.push({
        type: 'tool-call-start',
        index,
        id: call.id ?? `call_${index}`,
        name: call.function?.name ?? '',
      });
    }
    if (call.function?.arguments)
      events.push({ type: 'tool-call-delta', index, argumentsDelta: call.function.arguments });
  }
  return events;
}

export function createOpenAIProvider(options: OpenAIProviderOptions): Provider {
  kit.parseOptions(kit.sdkAdapterOptions('createOpenAIProvider', 'OPENAI_API_KEY'), options);
  const id = options.id ?? 'openai';
  const { apiKey } = options;
  const maxTokensParam =
    options.maxTokensParam ?? (id === 'openai' ? 'max_completion_tokens' : 'max_tokens');
  const client = new OpenAI({
    ...kit.sdkClientOptions({ ...options, baseURL: options.baseURL ?? OPENAI_BASE_URL }),
    // Explicit nulls stop the SDK reading OPENAI_ORG_ID / OPENAI_PROJECT_ID, which must not
    // reach a compatible server and are not this adapter's to pick up.
    organization: null,
    project: null,
    ...(options.defaultHeaders ? { defaultHeaders: options.defaultHeaders } : {}),
  });

  const bodyOptions = { maxTokensParam, streamOptions: options.streamOptions !== false };

  const mapError = (error: unknown) => mapOpenAIError(id, error, apiKey);
  return {
    ...kit.upstreamProvider({
      id,
      models: options.models,
      open: (request, signal) =>
        client.chat.completions.create(openaiBody(request, bodyOptions), { signal }),
      mapError,
      read: readChunk,
    }),
    async embed(request, { signal }) {
      const { model, input, dimensions } = request;
      const answer = await client.embeddings
        .create(
          {
            model,
            input: input as string[] | number[][],
            ...(dimensions ? { dimensions } : {}),
            encoding_format: 'float',
          },
          { signal },
        )
        .catch((error: unknown) => {
          throw mapError(error);
        });
      const counted = answer.usage?.prompt_tokens;
      return {
        embeddings: [...answer.data].sort((a, b) => a.index - b.index).map((d) => d.embedding),
        inputTokens: isTokenCount(counted) ? counted : undefined,
      };
    },
  };
}
