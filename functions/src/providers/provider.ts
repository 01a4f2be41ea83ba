// The one interface every model provider implements. A provider turns the unified request
// into its own wire format and its answer back into the unified stream of events; it never
// sees who is calling or what they may do (the gateway has decided that already).
import type {
  Capability,
  ChatRequest,
  EmbeddingsRequest,
  StreamEvent,
} from '@colonycraft/protocol';

/** What a provider is asked: the unified request, with the provider's own model name. */
export type ProviderRequest = Omit<
  ChatRequest,
  'model' | 'conversationId' | 'parentId' | 'regenerates'
> & {
  /** The provider's own name for the model, without the `provider/` prefix. */
  model: string;
};

/** What a provider is asked for embeddings, with its own name for the model. */
export type ProviderEmbedRequest = Omit<EmbeddingsRequest, 'model'> & { model: string };

/** Embeddings as a provider answers them. */
export interface ProviderEmbeddings {
  /** One vector per input, in the inputs' order. */
  embeddings: number[][];
  /** The provider's count of the input; undefined when it sent none (then it is estimated). */
  inputTokens: number | undefined;
}

export interface ProviderCallOptions {
  /**
   * Aborted when the client goes away or the call's total time runs out; the provider must
   * cancel its upstream request.
   */
  signal: AbortSignal;
  /** Longest wait for the upstream's response headers, in ms. */
  connectTimeoutMs: number;
}

export interface ModelInfo {
  /** `provider/model` */
  id: string;
  displayName: string;
  contextWindow: number;
  /** USD per million tokens. */
  inputPrice: number;
  outputPrice: number;
  /** Input read from or written to the prompt cache; the input price when unset. */
  cachedInputPrice?: number | undefined;
  cacheWritePrice?: number | undefined;
  /** What it can do beyond text; a request needing more is refused before it is called. */
  capabilities: readonly Capability[];
}

export interface Provider {
  readonly specificationVersion: 'v1';
  readonly id: string;
  readonly models: readonly ModelInfo[];
  /**
   * Streams the answer to `request`.
   *
   * Contract, which retries and fallbacks rely on. The provider kit (kit.ts) keeps it for every
   * adapter over an upstream API, and the contract suite (dev/provider-contract.ts), which every
   * adapter's test runs against the provider stub, checks it:
   * - A failure before the first event is thrown as a `ProviderError`; nothing has reached the
   *   client yet, so the gateway may retry or fall back.
   * - Once an event has been yielded, a failure is yielded as a `usage` event (what was
   *   produced so far, as for a cancelled stream) and then an `error` event, and the stream
   *   ends: never a `finish` after it, never a throw.
   * - A stream that completes ends with exactly one `usage` event and then one `finish` event.
   *   Where the upstream sent no usage, the provider counts tokens itself and marks the usage
   *   `estimated`.
   * - When `signal` aborts, the upstream request is cancelled and the stream ends with
   *   `usage` (what was produced so far) and `finish` with reason `cancelled`.
   */
  streamChat(request: ProviderRequest, options: ProviderCallOptions): AsyncIterable<StreamEvent>;
  /**
   * Embeds the inputs, for providers with embedding models (those whose models declare
   * `embeddings`). A failure is thrown as a `ProviderError`; when `signal` aborts, the upstream
   * request is cancelled and the promise rejects.
   */
  embed?(request: ProviderEmbedRequest, options: ProviderCallOptions): Promise<ProviderEmbeddings>;
}

export interface ProviderErrorOptions {
  /** The upstream's HTTP status, when it answered. */
  status?: number | undefined;
  /** `network` (no answer), `timeout`, or the upstream's own error code. */
  code?: string | undefined;
  /** From the upstream's `retry-after` header, in ms. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * A provider call that failed before any event reached the client. Its message is safe to
 * show: it names the provider and never holds a key.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly provider: string,
    message: string,
    options: ProviderErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** 408, 409, 429, 5xx, and failures with no answer at all: worth another try. */
  get isRetryable(): boolean {
    if (this.status === undefined) return this.code === 'network' || this.code === 'timeout';
    return this.status === 408 || this.status === 409 || this.status === 429 || this.status >= 500;
  }
}

/** Parses a `retry-after` header (seconds, or an HTTP date) into ms. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
