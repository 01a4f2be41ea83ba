// The Anthropic adapter: the unified request as a streamed Messages API call through the official
// SDK, and its named events back as unified events.
import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import type { FinishReason, StreamEvent, Usage } from '@colonycraft/protocol';
import {
  ProviderError,
  type ModelInfo,
  type Provider,
  type ProviderCallOptions,
  type ProviderRequest,
} from '../provider.js';
import { estimateInputTokens, estimateUsage } from '../usage.js';
import { toErrorEvent } from '../provider-errors.js';
import { mapAnthropicError } from './anthropic-errors.js';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

/** Anthropic requires `max_tokens`; the unified request may leave it out. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

export interface AnthropicProviderOptions {
  /** Default `anthropic`. */
  id?: string;
  apiKey: string;
  /** Default {@link ANTHROPIC_BASE_URL}; never read from the environment. */
  baseURL?: string;
  models: readonly ModelInfo[];
  fetch?: typeof fetch;
  /** Sent when the request has no `maxTokens`. Default {@link DEFAULT_ANTHROPIC_MAX_TOKENS}. */
  defaultMaxTokens?: number;
}

type RawEvent = Anthropic.RawMessageStreamEvent;

const FINISH_REASONS: Partial<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  refusal: 'content-filter',
};

function validate(options: AnthropicProviderOptions): void {
  const missingKey = 'createAnthropicProvider: apiKey is missing; pass it or set ANTHROPIC_API_KEY';
  const schema = z.object({
    id: z.string().min(1, 'id must not be empty').optional(),
    apiKey: z.string({ error: missingKey }).min(1, missingKey),
    baseURL: z.url({ error: 'createAnthropicProvider: baseURL must be a URL' }).optional(),
    defaultMaxTokens: z.int().positive().optional(),
  });
  const result = schema.safeParse(options);
  if (!result.success) throw new Error(result.error.issues[0]?.message ?? 'invalid options');
}

function body(request: ProviderRequest, defaultMaxTokens: number) {
  // Anthropic takes one top-level system prompt, not system messages in the conversation.
  const system = request.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const messages: Anthropic.MessageParam[] = [];
  for (const { role, content } of request.messages) {
    if (role !== 'system') messages.push({ role, content });
  }
  return {
    model: request.model,
    ...(system ? { system } : {}),
    messages,
    max_tokens: request.maxTokens ?? defaultMaxTokens,
    // No temperature or top_p: they are gone from the request types of the API version this
    // SDK speaks (2026-10-21), so the request's sampling settings are not sent at all.
    stop_sequences: request.stop,
    stream: true,
  } satisfies Anthropic.MessageCreateParamsStreaming;
}

/** Token counts as the events report them; either may be missing, and then it is estimated. */
interface Counts {
  input?: number | undefined;
  output?: number | undefined;
}

function usageOf(counts: Counts, request: ProviderRequest, text: string): Usage {
  if (counts.input !== undefined && counts.output !== undefined) {
    return { inputTokens: counts.input, outputTokens: counts.output, estimated: false };
  }
  const estimate = estimateUsage(request, text);
  return {
    inputTokens: counts.input ?? estimateInputTokens(request),
    outputTokens: counts.output ?? estimate.outputTokens,
    estimated: true,
  };
}

/** Input tokens in all: cache writes and reads are counted apart from `input_tokens`. */
function inputOf(usage: Partial<Anthropic.MessageDeltaUsage> | undefined): number | undefined {
  if (typeof usage?.input_tokens !== 'number') return undefined;
  return (
    usage.input_tokens +
    (usage.cache_creation_input_tokens ?? 0) +
    (usage.cache_read_input_tokens ?? 0)
  );
}

export function createAnthropicProvider(options: AnthropicProviderOptions): Provider {
  validate(options);
  const id = options.id ?? 'anthropic';
  const { apiKey } = options;
  const defaultMaxTokens = options.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  const client = new Anthropic({
    apiKey,
    baseURL: options.baseURL ?? ANTHROPIC_BASE_URL,
    // The gateway decides about retries and fallbacks; SDK retries would hide failures from it.
    maxRetries: 0,
    // Every failure is mapped and surfaced; the SDK's own console logging would only duplicate it.
    logLevel: 'off',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  /** Sends the request and waits for the response headers, at most `connectTimeoutMs`. */
  async function connect(
    request: ProviderRequest,
    { signal, connectTimeoutMs }: ProviderCallOptions,
  ): Promise<AsyncIterable<RawEvent> | 'cancelled'> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), connectTimeoutMs);
    try {
      const stream = await client.messages.create(body(request, defaultMaxTokens), {
        signal: AbortSignal.any([signal, timeout.signal]),
      });
      if (!timeout.signal.aborted) return stream;
    } catch (error) {
      if (signal.aborted) return 'cancelled';
      if (!timeout.signal.aborted) throw mapAnthropicError(id, error, apiKey);
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
      const counts: Counts = {};
      let finish: FinishReason | undefined;
      let stopped = false;
      let failure: ProviderError | undefined;

      if (stream !== 'cancelled') {
        try {
          for await (const event of stream) {
            switch (event.type) {
              case 'message_start':
                // The stream sends usage unless the upstream leaves it out (the types say always).
                counts.input = inputOf(
                  event.message.usage as typeof event.message.usage | undefined,
                );
                break;
              case 'content_block_delta':
                if (event.delta.type === 'text_delta' && event.delta.text) {
                  text += event.delta.text;
                  yield { type: 'text-delta', text: event.delta.text };
                }
                break;
              case 'message_delta': {
                const usage = event.usage as typeof event.usage | undefined;
                // Both counts are cumulative; newer API versions repeat the input count here.
                counts.input = inputOf(usage) ?? counts.input;
                if (typeof usage?.output_tokens === 'number') counts.output = usage.output_tokens;
                if (event.delta.stop_reason) {
                  finish = FINISH_REASONS[event.delta.stop_reason] ?? 'stop';
                }
                break;
              }
              case 'message_stop':
                stopped = true;
                break;
            }
          }
        } catch (error) {
          if (!signal.aborted) failure = mapAnthropicError(id, error, apiKey);
        }
        // The SDK ends quietly on a clean EOF; without message_stop the answer is incomplete.
        if (!failure && !signal.aborted && !stopped) {
          failure = new ProviderError(id, `${id} ended its stream before the answer was complete`, {
            code: 'network',
          });
        }
      }

      if (failure && text === '') throw failure;
      // A cut answer's text so far was still produced, and is paid for. After a cut or an
      // abort the output count is missing (message_delta comes last) and so estimated.
      yield { type: 'usage', usage: usageOf(counts, request, text) };
      if (failure) {
        yield toErrorEvent(failure);
        return;
      }
      yield { type: 'finish', reason: signal.aborted ? 'cancelled' : (finish ?? 'stop') };
    },
  };
}
