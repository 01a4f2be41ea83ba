// The OpenAI adapter: the unified request as a streamed Chat Completions call through the official
// SDK, and its chunks back as unified events. OpenAI-compatible servers reuse it with their own id.
import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { ChatMessage, FinishReason } from '@colonycraft/protocol';
import type { ModelInfo, Provider, ProviderRequest } from '../provider.js';
import * as kit from '../kit.js';
import { isTokenCount } from '../usage.js';
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

/** One chunk's text as an event; its usage and finish reason into `state`. */
function readChunk(chunk: ChatCompletionChunk, state: kit.UpstreamState): kit.ContentEvent[] {
  // Some servers repeat usage on every chunk; the last one is the total. Counts that are missing
  // or malformed (compatible servers vary) leave both to the estimate.
  const counted = chunk.usage as Partial<typeof chunk.usage> | null | undefined;
  if (isTokenCount(counted?.prompt_tokens) && isTokenCount(counted.completion_tokens)) {
    state.inputTokens = counted.prompt_tokens;
    state.outputTokens = counted.completion_tokens;
  }
  const choice = chunk.choices[0];
  // Without a finish_reason the answer is incomplete.
  if (choice?.finish_reason) {
    state.finish = FINISH_REASONS[choice.finish_reason] ?? 'stop';
    state.complete = true;
  }
  const delta = choice?.delta.content;
  return delta ? [{ type: 'text-delta', text: delta }] : [];
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

  return kit.upstreamProvider({
    id,
    models: options.models,
    open: (request, signal) => client.chat.completions.create(body(request), { signal }),
    mapError: (error) => mapOpenAIError(id, error, apiKey),
    read: readChunk,
  });
}
