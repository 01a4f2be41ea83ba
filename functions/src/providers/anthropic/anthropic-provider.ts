// The Anthropic adapter: the unified request as a streamed Messages API call through the official
// SDK, and its named events back as unified events.
import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import type { FinishReason } from '@colonycraft/protocol';
import type { ModelInfo, Provider, ProviderRequest } from '../provider.js';
import * as kit from '../kit.js';
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

/** Input tokens in all: cache writes and reads are counted apart from `input_tokens`. */
function inputOf(usage: Partial<Anthropic.MessageDeltaUsage> | undefined): number | undefined {
  if (typeof usage?.input_tokens !== 'number') return undefined;
  return (
    usage.input_tokens +
    (usage.cache_creation_input_tokens ?? 0) +
    (usage.cache_read_input_tokens ?? 0)
  );
}

/** One event's text as an event; its usage, stop reason and end into `state`. */
function readEvent(event: RawEvent, state: kit.UpstreamState): kit.ContentEvent[] {
  switch (event.type) {
    case 'message_start':
      // The stream sends usage unless the upstream leaves it out (the types say always).
      state.inputTokens = inputOf(event.message.usage as typeof event.message.usage | undefined);
      return [];
    case 'content_block_delta':
      return event.delta.type === 'text_delta' && event.delta.text
        ? [{ type: 'text-delta', text: event.delta.text }]
        : [];
    case 'message_delta': {
      const usage = event.usage as typeof event.usage | undefined;
      // Both counts are cumulative; newer API versions repeat the input count here.
      state.inputTokens = inputOf(usage) ?? state.inputTokens;
      if (typeof usage?.output_tokens === 'number') state.outputTokens = usage.output_tokens;
      if (event.delta.stop_reason) state.finish = FINISH_REASONS[event.delta.stop_reason] ?? 'stop';
      return [];
    }
    case 'message_stop':
      // Without message_stop the answer is incomplete.
      state.complete = true;
      return [];
    default:
      return [];
  }
}

export function createAnthropicProvider(options: AnthropicProviderOptions): Provider {
  kit.parseOptions(
    kit.sdkAdapterOptions('createAnthropicProvider', 'ANTHROPIC_API_KEY').extend({
      defaultMaxTokens: z.int().positive().optional(),
    }),
    options,
  );
  const id = options.id ?? 'anthropic';
  const { apiKey } = options;
  const defaultMaxTokens = options.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  const client = new Anthropic(
    kit.sdkClientOptions({ ...options, baseURL: options.baseURL ?? ANTHROPIC_BASE_URL }),
  );

  return kit.upstreamProvider({
    id,
    models: options.models,
    open: (request, signal) => client.messages.create(body(request, defaultMaxTokens), { signal }),
    mapError: (error) => mapAnthropicError(id, error, apiKey),
    read: readEvent,
  });
}
