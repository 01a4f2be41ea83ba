// Every span, attribute and metric name the gateway emits, in one place: OpenTelemetry's GenAI
// semantic conventions where they name the thing (gen_ai.*, error.type), `colonycraft.*` for
// what is ours. docs/telemetry.md lists them with what each means.

/** The instrumentation scope of every tracer and meter here. */
export const SCOPE = '@colonycraft/functions';

/** What a call does, as `gen_ai.operation.name` spells it. */
export type Operation = 'chat' | 'embeddings';

export const SPAN = {
  /** The call, as the GenAI conventions name a client span: `chat local/echo`. */
  call: (operation: Operation, model: string | undefined): string =>
    model ? `${operation} ${model}` : operation,
  /** The revocation check and the limiter's decision (one wait for Redis). */
  admission: 'admission',
  /** One provider's answer, through retries and fallbacks: `provider openai/gpt-4.1`. */
  provider: (model: string): string => `provider ${model}`,
  /** A write to Firestore: the usage record without a ledger, or the conversation's exchange. */
  record: 'record',
  /** The limiter's settlement, which carries the usage record to the ledger (Redis). */
  settle: 'settle',
} as const;

export const ATTR = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  finishReasons: 'gen_ai.response.finish_reasons',
  /** Seconds from the call's arrival to the answer's first event. */
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  tokenType: 'gen_ai.token.type',
  errorType: 'error.type',
  /** The call's id: its limiter lease's and its usage record's. */
  callId: 'colonycraft.call.id',
  costUsd: 'colonycraft.cost_usd',
  /** The gateway's own time in the call, ms: `x-colonycraft-overhead-ms`. */
  overheadMs: 'colonycraft.overhead_ms',
  /** Whether the usage record's token counts were estimated here (no count from upstream). */
  usageEstimated: 'colonycraft.usage.estimated',
  /** ok, error, incomplete or cancelled: the usage record's status. */
  status: 'colonycraft.call.status',
  /** `admitted` or `refused`. */
  decision: 'colonycraft.limit.decision',
  /** The limit that refused: requests, tokens, concurrency, daily-budget, monthly-budget. */
  limit: 'colonycraft.limit.name',
} as const;

/** The event on the provider span when the answer's first event arrives. */
export const FIRST_CHUNK_EVENT = 'gen_ai.first_chunk';

export const METRIC = {
  duration: 'gen_ai.client.operation.duration',
  tokens: 'gen_ai.client.token.usage',
  timeToFirstChunk: 'gen_ai.client.operation.time_to_first_chunk',
  calls: 'colonycraft.gateway.calls',
  errors: 'colonycraft.gateway.errors',
  cost: 'colonycraft.gateway.cost',
  overhead: 'colonycraft.gateway.overhead',
  refusals: 'colonycraft.limiter.refusals',
} as const;

/** The GenAI conventions' buckets for token counts. */
export const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
/** The GenAI conventions' buckets for durations, in seconds. */
export const DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
/** The gateway's own time is milliseconds' worth: finer buckets, in seconds. */
export const OVERHEAD_BUCKETS = [
  0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024,
];
/** USD per call. */
export const COST_BUCKETS = [0, 0.00001, 0.0001, 0.001, 0.01, 0.1, 1, 10];
