// The Anthropic adapter: the unified request as a streamed Messages API call through the official
// SDK, and its named events back as unified events.
import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import type { FinishReason } from '@colonycraft/protocol';
import type { ModelInfo, Provider, ProviderRequest } from '../provider.js';
import * as kit from '../kit.js';
import { answerToolOf, anthropicBody } from './anthropic-body.js';
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
  tool_use: 'tool-calls',
  refusal: 'content-filter',
};

/** Input tokens in all: cache writes and reads are counted apart from `input_tokens`. */
function inputOf(usage: Partial<Anthropic.MessageDeltaUsage> | undefined): number | undefined {
  if (typeof usage?.input_tokens !== 'number') return undefined;
  return (
    usage.input_tokens +
    (usage.cache_creation_input_tokens ?? 0) +
    (usage.cache_read_input_tokens ?? 0)
  );
}

/** One event as events: thinking, text, tool calls; its usage, stop reason and end into `state`. */
function readEvent(
  event: RawEvent,
  state: kit.UpstreamState,
  request: ProviderRequest,
): kit.ContentEvent[] {
  switch (event.type) {
    case 'message_start': {
      // The stream sends usage unless the upstream leaves it out (the types say always).
      const usage = event.message.usage as typeof event.message.usage | undefined;
      state.inputTokens = inputOf(usage);
      cacheCounts(usage, state);
      return [];
    }
    case 'content_block_start': {
      const block = event.content_block;
      if (block.type !== 'tool_use') return [];
      // A JSON answer's forced tool carries the answer itself, as text.
      if (block.name === answerToolOf(request)?.name) {
        state.answerBlocks.add(event.index);
        return [];
      }
      const index = state.toolCalls.size;
      state.toolCalls.set(event.index, index);
      return [{ type: 'tool-call-start', index, id: block.id, name: block.name }];
    }
    case 'content_block_delta': {
      const { delta } = event;
      switch (delta.type) {
        case 'text_delta':
          return delta.text ? [{ type: 'text-delta', text: delta.text }] : [];
        case 'thinking_delta':
          return delta.thinking ? [{ type: 'reasoning-delta', text: delta.thinking }] : [];
        case 'signature_delta':
          return [{ type: 'reasoning-signature', signature: delta.signature }];
        case 'input_json_delta': {
          if (!delta.partial_json) return [];
          if (state.answerBlocks.has(event.index))
            return [{ type: 'text-delta', text: delta.partial_json }];
          const index = state.toolCalls.get(event.index);
          return index === undefined
            ? []
            : [{ type: 'tool-call-delta', index, argumentsDelta: delta.partial_json }];
        }
        default:
          return [];
      }
    }
    case 'content_block_stop': {
      const index = state.toolCalls.get(event.index);
      return index === undefined ? [] : [{ type: 'tool-call-end', index }];
    }
    case 'message_delta': {
      const usage = event.usage as typeof event.usage | undefined;
      // Both counts are cumulative; newer API versions repeat the input count here.
      state.inputTokens = inputOf(usage) ?? state.inputTokens;
      cacheCounts(usage, state);
      if (typeof usage?.output_tokens === 'number') state.outputTokens = usage.output_tokens;
      // The part of output_tokens spent thinking, which Anthropic reports apart.
      const thinking = usage?.output_tokens_details?.thinking_tokens;
      if (typeof thinking === 'number') state.reasoningTokens = thinking;
      const reason = event.delta.stop_reason;
      if (reason === 'stop_sequence' && event.delta.stop_sequence)
        state.stopSequence = event.delta.stop_sequence;
      if (reason) {
        // The forced tool of a JSON answer is the answer, not a call to make.
        const answered =
          reason === 'tool_use' && state.answerBlocks.size > 0 && state.toolCalls.size === 0;
        state.finish = answered ? 'stop' : (FINISH_REASONS[reason] ?? 'stop');
      }
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

/** Cache reads and writes, which Anthropic counts apart from `input_tokens`. */
function cacheCounts(
  usage: Partial<Anthropic.MessageDeltaUsage> | undefined,
  state: kit.UpstreamState,
): void {
  if (typeof usage?.cache_read_input_tokens === 'number')
    state.cachedInputTokens = usage.cache_read_input_tokens;
  if (typeof usage?.cache_creation_input_tokens === 'number')
    state.cacheWriteTokens = usage.cache_creation_input_tokens;
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
    open: (request, signal) => {
      const beta = request.providerOptions?.anthropic?.beta;
      return client.messages.create(anthropicBody(id, request, defaultMaxTokens), {
        signal,
        ...(beta?.length ? { headers: { 'anthropic-beta': beta.join(',') } } : {}),
      });
    },
    mapError: (error) => mapAnthropicError(id, error, apiKey),
    read: readEvent,
  });
}
