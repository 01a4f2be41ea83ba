// The one interface every model provider implements. A provider turns the unified request
// into its own wire format and its answer back into the unified stream of events; it never
// sees who is calling or what they may do (the gateway has decided that already).
import type { ChatRequest, StreamEvent } from '@colonycraft/protocol';

export interface ProviderCallOptions {
  /** Aborted when the client goes away; the provider must cancel its upstream request. */
  signal: AbortSignal;
}

export interface ModelInfo {
  /** `provider/model` */
  id: string;
  displayName: string;
  contextWindow: number;
  /** USD per million tokens. */
  inputPrice: number;
  outputPrice: number;
}

export interface Provider {
  readonly specificationVersion: 'v1';
  readonly id: string;
  readonly models: readonly ModelInfo[];
  /**
   * Streams the answer. The stream ends with a `usage` event and a `finish` event, or with an
   * `error` event; it never just stops.
   */
  streamChat(request: ChatRequest, options: ProviderCallOptions): AsyncIterable<StreamEvent>;
}
