// The provider kit: the plumbing every adapter over an upstream HTTP API shares, so that an
// adapter is its wire format and nothing else. The kit connects within the connect timeout,
// reads the upstream's chunks through the adapter, and ends the stream as the contract in
// provider.ts says: usage then finish, or usage then an error event, or a throw before the
// first event. The shared half of error mapping is `sdkErrorMapper` in provider-errors.ts.
import { z } from 'zod';
import type { FinishReason, StreamEvent, Usage } from '@colonycraft/protocol';
import {
  ProviderError,
  type ModelInfo,
  type Provider,
  type ProviderCallOptions,
  type ProviderRequest,
} from './provider.js';
import { toErrorEvent } from './provider-errors.js';
import { estimateInputTokens, estimateOutputTokens } from './usage.js';

/** The events an adapter makes of the upstream's chunks; the kit alone ends the stream. */
export type ContentEvent = Exclude<StreamEvent, { type: 'usage' | 'finish' | 'error' }>;

/** What an adapter learns from the upstream's chunks besides the events they become. */
export interface UpstreamState {
  /** Token counts as the upstream reported them; one left undefined is estimated. */
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  /** Details of those counts, where the upstream gave them (see Usage). */
  cachedInputTokens?: number | undefined;
  cacheWriteTokens?: number | undefined;
  reasoningTokens?: number | undefined;
  /**
   * The tool calls begun, by the upstream's own key for them (OpenAI's `index`, Anthropic's
   * content block index), to their index in the answer. The kit ends any left open.
   */
  toolCalls: Map<number, number>;
  /** Content blocks that carry the answer itself (Anthropic: a JSON answer's forced tool). */
  answerBlocks: Set<number>;
  /** The upstream's finish reason, in unified terms; `stop` when it gave none. */
  finish: FinishReason | undefined;
  /** The stop sequence that ended the answer, where the upstream says which. */
  stopSequence?: string | undefined;
  /** Set when the upstream marked its answer complete: a stream that ends without it was cut. */
  complete: boolean;
}

/** One adapter: its wire format, given to {@link upstreamProvider}. */
export interface UpstreamAdapter<Chunk> {
  id: string;
  models: readonly ModelInfo[];
  /** Sends the request through the SDK; resolves once the response headers came. */
  open(request: ProviderRequest, signal: AbortSignal): Promise<AsyncIterable<Chunk>>;
  /** Turns whatever the SDK throws, before or during the stream, into a ProviderError. */
  mapError(error: unknown): ProviderError;
  /** Turns one upstream chunk into events, noting its usage and finish in `state`. */
  read(chunk: Chunk, state: UpstreamState, request: ProviderRequest): readonly ContentEvent[];
}

/** The provider that streams through `adapter`, keeping the contract of provider.ts. */
export function upstreamProvider<Chunk>(adapter: UpstreamAdapter<Chunk>): Provider {
  return {
    specificationVersion: 'v1',
    id: adapter.id,
    models: adapter.models,
    streamChat: (request, options) => streamFromUpstream(adapter, request, options),
  };
}

async function* streamFromUpstream<Chunk>(
  adapter: UpstreamAdapter<Chunk>,
  request: ProviderRequest,
  options: ProviderCallOptions,
): AsyncGenerator<StreamEvent> {
  const { id } = adapter;
  const { signal } = options;
  const stream = await connect(adapter, request, options);
  const state: UpstreamState = {
    inputTokens: undefined,
    outputTokens: undefined,
    finish: undefined,
    complete: false,
    toolCalls: new Map(),
    answerBlocks: new Set(),
  };
  // All the answer produced, for an estimate of its output when the upstream sent no count.
  let produced = '';
  let started = false;
  const open = new Set<number>();
  let failure: ProviderError | undefined;

  if (stream !== 'cancelled') {
    try {
      for await (const chunk of stream) {
        for (const event of adapter.read(chunk, state, request)) {
          produced += producedBy(event);
          if (event.type === 'tool-call-start') open.add(event.index);
          if (event.type === 'tool-call-end') open.delete(event.index);
          started = true;
          yield event;
        }
      }
    } catch (error) {
      if (!signal.aborted) failure = adapter.mapError(error);
    }
    // The SDKs end quietly on a clean EOF; without the upstream's end mark the answer is cut.
    if (!failure && !signal.aborted && !state.complete) {
      failure = new ProviderError(id, `${id} ended its stream before the answer was complete`, {
        code: 'network',
      });
    }
  }

  if (failure && !started) throw failure;
  // Formats with no end mark per tool call (OpenAI's) end them all with the answer, before its
  // usage, so that the stream still ends with usage then finish. A tool call cut short or
  // cancelled is not ended: its arguments are incomplete.
  if (!failure && !signal.aborted) {
    for (const index of [...open].sort((a, b) => a - b)) yield { type: 'tool-call-end', index };
  }
  // A cut answer's text so far was still produced, and is paid for.
  yield { type: 'usage', usage: usageOf(state, request, produced) };
  if (failure) {
    yield toErrorEvent(failure);
    return;
  }
  if (signal.aborted) {
    yield { type: 'finish', reason: 'cancelled' };
    return;
  }
  const { stopSequence } = state;
  yield {
    type: 'finish',
    reason: state.finish ?? 'stop',
    ...(stopSequence ? { stopSequence } : {}),
  };
}

/** The text an event adds to what the answer produced. */
function producedBy(event: ContentEvent): string {
  switch (event.type) {
    case 'text-delta':
    case 'reasoning-delta':
      return event.text;
    case 'tool-call-start':
      return event.name;
    case 'tool-call-delta':
      return event.argumentsDelta;
    default:
      return '';
  }
}

/** Sends the request and waits for the response headers, at most `connectTimeoutMs`. */
async function connect<Chunk>(
  adapter: UpstreamAdapter<Chunk>,
  request: ProviderRequest,
  { signal, connectTimeoutMs }: ProviderCallOptions,
): Promise<AsyncIterable<Chunk> | 'cancelled'> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), connectTimeoutMs);
  try {
    const stream = await adapter.open(request, AbortSignal.any([signal, timeout.signal]));
    if (!timeout.signal.aborted) return stream;
  } catch (error) {
    if (signal.aborted) return 'cancelled';
    if (!timeout.signal.aborted) throw adapter.mapError(error);
  } finally {
    clearTimeout(timer);
  }
  if (signal.aborted) return 'cancelled';
  const { id } = adapter;
  throw new ProviderError(id, `${id} sent no response within ${connectTimeoutMs} ms`, {
    code: 'timeout',
  });
}

/**
 * The upstream's counts where it sent both; otherwise each missing one is counted here and the
 * whole marked estimated (after a cut or an abort the output count, which comes last, is missing).
 */
function usageOf(state: UpstreamState, request: ProviderRequest, text: string): Usage {
  const { inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens, reasoningTokens } = state;
  if (inputTokens !== undefined && outputTokens !== undefined) {
    return {
      inputTokens,
      outputTokens,
      ...(cachedInputTokens ? { cachedInputTokens } : {}),
      ...(cacheWriteTokens ? { cacheWriteTokens } : {}),
      ...(reasoningTokens ? { reasoningTokens } : {}),
      estimated: false,
    };
  }
  return {
    inputTokens: inputTokens ?? estimateInputTokens(request),
    outputTokens: outputTokens ?? estimateOutputTokens(text),
    estimated: true,
  };
}

/** The options every SDK client gets, whatever the adapter. */
export function sdkClientOptions(options: {
  apiKey: string;
  baseURL: string;
  fetch?: typeof fetch | undefined;
}) {
  return {
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    // The gateway decides about retries and fallbacks; SDK retries would hide failures from it.
    maxRetries: 0,
    // Every failure is mapped and surfaced; the SDK's own console logging would only duplicate it.
    logLevel: 'off' as const,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
}

/** Checks an adapter's options, throwing the first problem's message (which names the fix). */
export function parseOptions<T>(schema: z.ZodType<T>, options: unknown): T {
  const result = schema.safeParse(options);
  if (!result.success) throw new Error(result.error.issues[0]?.message ?? 'invalid options');
  return result.data;
}

/**
 * The options an SDK adapter shares: an optional id, the key (its message names the parameter
 * and the environment variable) and an optional base URL.
 */
export function sdkAdapterOptions(where: string, keyVariable: string) {
  const missingKey = `${where}: apiKey is missing; pass it or set ${keyVariable}`;
  return z.object({
    id: z.string().min(1, 'id must not be empty').optional(),
    apiKey: z.string({ error: missingKey }).min(1, missingKey),
    baseURL: z.url({ error: `${where}: baseURL must be a URL` }).optional(),
  });
}
