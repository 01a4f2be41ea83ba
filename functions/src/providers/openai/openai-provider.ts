// The OpenAI adapter: the unified request as a streamed Chat Completions call through the official
// SDK, and its chunks back as unified events. OpenAI-compatible servers reuse it with their own id.
import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { ChatMessage, FinishReason, StreamEvent, Usage } from '@colonycraft/protocol';
import {
  ProviderError,
  type ModelInfo,
  type Provider,
  type ProviderCallOptions,
  type ProviderRequest,
} from '../provider.js';
import { estimateUsage, isTokenCount } from '../usage.js';
import { toErrorEvent } from '../provider-errors.js';
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
  content_filter: 'content-filter',
};

function toMessage({ role, content }: ChatMessage): ChatCompletionMessageParam {
  switch (role) {
    case 'system':
      return { role, content };
    case 'user':
      return { role, content };
    case 'assistant':
      return { role, content };
  }
}

function validate(options: OpenAIProviderOptions): void {
  const missingKey = 'createOpenAIProvider: apiKey is missing; pass it or set OPENAI_API_KEY';
  const schema = z.object({
    id: z.string().min(1, 'id must not be empty').optional(),
    apiKey: z.string({ error: missingKey }).min(1, missingKey),
    baseURL: z.url({ error: 'createOpenAIProvider: baseURL must be a URL' }).optional(),
  });
  const result = schema.safeParse(options);
  if (!result.success) throw new Error(result.error.issues[0]?.message ?? 'invalid options');
}

export function createOpenAIProvider(options: OpenAIProviderOptions): Provider {
  validate(options);
  const id = options.id ?? 'openai';
  const { apiKey } = options;
  const maxTokensParam =
    options.maxTokensParam ?? (id === 'openai' ? 'max_completion_tokens' : 'max_tokens');
  const client = new OpenAI({
    apiKey,
    baseURL: options.baseURL ?? OPENAI_BASE_URL,
    // The gateway decides about retries and fallbacks; SDK retries would hide failures from it.
    maxRetries: 0,
    // Explicit nulls stop the SDK reading OPENAI_ORG_ID / OPENAI_PROJECT_ID, which must not
    // reach a compatible server and are not this adapter's to pick up.
    organization: null,
    project: null,
    // Every failure is mapped and surfaced; the SDK's own console logging would only duplicate it.
    logLevel: 'off',
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.defaultHeaders ? { defaultHeaders: options.defaultHeaders } : {}),
  });

  function body(request: ProviderRequest): ChatCompletionCreateParamsStreaming {
    return {
      model: request.model,
      messages: request.messages.map(toMessage),
      temperature: request.temperature,
      top_p: request.topP,
      stop: request.stop,
      [maxTokensParam]: request.maxTokens,
      stream: true,
      ...(options.streamOptions === false ? {} : { stream_options: { include_usage: true } }),
    };
  }

  /** Sends the request and waits for the response headers, at most `connectTimeoutMs`. */
  async function connect(
    request: ProviderRequest,
    { signal, connectTimeoutMs }: ProviderCallOptions,
  ): Promise<AsyncIterable<ChatCompletionChunk> | 'cancelled'> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), connectTimeoutMs);
    try {
      const stream = await client.chat.completions.create(body(request), {
        signal: AbortSignal.any([signal, timeout.signal]),
      });
      if (!timeout.signal.aborted) return stream;
    } catch (error) {
      if (signal.aborted) return 'cancelled';
      if (!timeout.signal.aborted) throw mapOpenAIError(id, error, apiKey);
    } finally {
      clearTimeout(timer);
    }
    if (signal.aborted) return 'cancelled';
    throw new ProviderError(id, `${id} sent no response within ${connectTimeoutMs} ms`, {
      code: 'timeout',
    });
  }

  return {
    specificationVersion: 'v1',
    id,
    models: options.models,
    async *streamChat(request, callOptions): AsyncGenerator<StreamEvent> {
      const { signal } = callOptions;
      const stream = await connect(request, callOptions);
      let text = '';
      let usage: Usage | undefined;
      let finish: FinishReason | undefined;
      let failure: ProviderError | undefined;

      if (stream !== 'cancelled') {
        try {
          for await (const chunk of stream) {
            // Some servers repeat usage on every chunk; the last one is the total. Counts that
            // are missing or malformed (compatible servers vary) leave it to the estimate.
            const counted = chunk.usage as Partial<typeof chunk.usage> | null | undefined;
            if (isTokenCount(counted?.prompt_tokens) && isTokenCount(counted.completion_tokens)) {
              usage = {
                inputTokens: counted.prompt_tokens,
                outputTokens: counted.completion_tokens,
                estimated: false,
              };
            }
            const choice = chunk.choices[0];
            const delta = choice?.delta.content;
            if (delta) {
              text += delta;
              yield { type: 'text-delta', text: delta };
            }
            if (choice?.finish_reason) finish = FINISH_REASONS[choice.finish_reason] ?? 'stop';
          }
        } catch (error) {
          if (!signal.aborted) failure = mapOpenAIError(id, error, apiKey);
        }
        // The SDK ends quietly on a clean EOF; without a finish_reason the answer is incomplete.
        if (!failure && !signal.aborted && finish === undefined) {
          failure = new ProviderError(id, `${id} ended its stream before the answer was complete`, {
            code: 'network',
          });
        }
      }

      if (failure && text === '') throw failure;
      // A cut answer's text so far was still produced, and is paid for.
      yield { type: 'usage', usage: usage ?? estimateUsage(request, text) };
      if (failure) {
        yield toErrorEvent(failure);
        return;
      }
      yield { type: 'finish', reason: signal.aborted ? 'cancelled' : (finish ?? 'stop') };
    },
  };
}
