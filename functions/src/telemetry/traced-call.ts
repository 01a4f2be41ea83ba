// A traced call, through `@opentelemetry/api`: the call's span (`chat {model}`, GenAI
// conventions) with children for admission, the provider's answer, recording and settling,
// and the call's metrics once it has ended. Loaded with the SDK (telemetry/sdk.ts), which
// installs it as the calls' tracer.
//
// Attributes hold names, counts, codes and durations only: never a message, a prompt, an
// answer, an error's message (a provider's may quote what it was sent), a key or a token.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  metrics,
  propagation,
  trace,
  type Attributes,
  type Context,
  type MeterProvider,
  type Span,
} from '@opentelemetry/api';
import type { StreamEvent } from '@colonycraft/protocol';
import type { CallTracer, CallUse, Served, TracingCall } from './call-telemetry.js';
import {
  ATTR,
  COST_BUCKETS,
  DURATION_BUCKETS,
  FIRST_CHUNK_EVENT,
  METRIC,
  OVERHEAD_BUCKETS,
  SCOPE,
  SPAN,
  TOKEN_BUCKETS,
  type Operation,
} from './names.js';

/** Traces every call, and joins a request's trace, with the globally registered SDK. */
export const otelCallTracer: CallTracer = {
  start: (operation, callId) => new TracedCall(operation, callId),
  join: (headers, next) => context.with(propagation.extract(ROOT_CONTEXT, headers), next),
};

/** A low-cardinality name for a failure: a gateway error's kind, a provider error's code. */
export function errorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '_OTHER';
  const { kind, code, status, name } = error as Record<string, unknown>;
  if (typeof kind === 'string') return kind;
  if (typeof code === 'string') return code;
  if (typeof status === 'number') return `status-${status}`;
  return typeof name === 'string' ? name : '_OTHER';
}

/** The limit a refusal names, from a `resource-exhausted` error's details. */
function refusedLimit(error: unknown): string | undefined {
  const { kind, details } = (error ?? {}) as { kind?: unknown; details?: { limit?: unknown } };
  return kind === 'resource-exhausted' && typeof details?.limit === 'string'
    ? details.limit
    : undefined;
}

/** A model name as a client sent it, cut to a sane length for an attribute. */
const modelName = (model: string): string => model.slice(0, 128);

const seconds = (ms: number): number => ms / 1000;

class TracedCall implements TracingCall {
  private readonly tracer = trace.getTracer(SCOPE);
  private readonly span: Span;
  readonly context: Context;
  private readonly started = performance.now();
  private use: CallUse | undefined;
  private firstChunkS: number | undefined;
  private finishReasons: string[] = [];
  private overheadMs: number | undefined;

  constructor(
    private readonly operation: Operation,
    callId: string,
  ) {
    this.span = this.tracer.startSpan(SPAN.call(operation, undefined), {
      kind: SpanKind.CLIENT,
      attributes: { [ATTR.operation]: operation, [ATTR.callId]: callId },
    });
    this.context = trace.setSpan(context.active(), this.span);
  }

  run<R>(call: () => Promise<R>): Promise<R> {
    return context.with(this.context, call);
  }

  requested(model: string): void {
    const name = modelName(model);
    this.span.updateName(SPAN.call(this.operation, name));
    this.span.setAttribute(ATTR.requestModel, name);
  }

  private child(name: string, attributes?: Attributes): Span {
    return this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, this.context);
  }

  async admit<T>(admitting: () => Promise<T>): Promise<T> {
    const span = this.child(SPAN.admission);
    try {
      const admitted = await context.with(trace.setSpan(this.context, span), admitting);
      span.setAttribute(ATTR.decision, 'admitted');
      return admitted;
    } catch (error) {
      const limit = refusedLimit(error);
      if (limit) {
        span.setAttributes({ [ATTR.decision]: 'refused', [ATTR.limit]: limit });
        instruments().refusals.add(1, { [ATTR.limit]: limit });
      }
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  async step<T>(name: 'record' | 'settle', work: () => Promise<T>): Promise<T> {
    const span = this.child(name);
    try {
      return await context.with(trace.setSpan(this.context, span), work);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  async *answer(
    events: AsyncIterable<StreamEvent>,
    served: () => Served,
  ): AsyncGenerator<StreamEvent> {
    const span = this.child(SPAN.provider(served().id));
    try {
      for await (const event of events) {
        if (this.firstChunkS === undefined) this.firstChunk(span);
        if (event.type === 'finish') this.finishReasons = [event.reason];
        if (event.type === 'error') {
          span.setAttribute(ATTR.errorType, event.code);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        yield event;
      }
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      this.served(span, served());
      span.end();
    }
  }

  async reply<T>(target: Served, replying: Promise<T>): Promise<T> {
    const span = this.child(SPAN.provider(target.id));
    this.served(span, target);
    try {
      const reply = await replying;
      this.firstChunk(span);
      return reply;
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  private firstChunk(span: Span): void {
    this.firstChunkS = seconds(performance.now() - this.started);
    span.addEvent(FIRST_CHUNK_EVENT);
    span.setAttribute(ATTR.timeToFirstChunk, this.firstChunkS);
    this.span.setAttribute(ATTR.timeToFirstChunk, this.firstChunkS);
  }

  private served(span: Span, target: Served): void {
    span.updateName(SPAN.provider(target.id));
    span.setAttributes({ [ATTR.provider]: target.provider, [ATTR.responseModel]: target.id });
  }

  used(use: CallUse, overheadMs: number): void {
    this.use = use;
    this.span.setAttributes({
      [ATTR.provider]: use.provider,
      [ATTR.responseModel]: use.model,
      [ATTR.inputTokens]: use.inputTokens,
      [ATTR.outputTokens]: use.outputTokens,
      [ATTR.usageEstimated]: use.estimated,
      [ATTR.costUsd]: use.costUsd,
      [ATTR.status]: use.status,
      [ATTR.overheadMs]: overheadMs,
    });
    if (this.finishReasons.length > 0) {
      this.span.setAttribute(ATTR.finishReasons, this.finishReasons);
    }
    this.overheadMs = overheadMs;
  }

  end(error: unknown): void {
    if (error !== undefined) failed(this.span, error);
    this.span.end();
    // Metrics carry the provider and the model that served (both from the catalog, so few),
    // never the requested name, which a client may make anything.
    const attributes: Attributes = { [ATTR.operation]: this.operation };
    if (this.use) {
      attributes[ATTR.provider] = this.use.provider;
      attributes[ATTR.responseModel] = this.use.model;
    }
    if (error !== undefined) attributes[ATTR.errorType] = errorType(error);
    const meters = instruments();
    meters.duration.record(seconds(performance.now() - this.started), attributes);
    meters.calls.add(1, attributes);
    if (error !== undefined) meters.errors.add(1, attributes);
    if (this.firstChunkS !== undefined) meters.firstChunk.record(this.firstChunkS, attributes);
    if (this.overheadMs !== undefined) meters.overhead.record(seconds(this.overheadMs), attributes);
    if (this.use) {
      const { inputTokens, outputTokens, costUsd } = this.use;
      meters.tokens.record(inputTokens, { ...attributes, [ATTR.tokenType]: 'input' });
      if (this.operation === 'chat') {
        meters.tokens.record(outputTokens, { ...attributes, [ATTR.tokenType]: 'output' });
      }
      meters.cost.record(costUsd, attributes);
    }
  }
}

/** Marks a span failed with the error's type, never its message. */
function failed(span: Span, error: unknown): void {
  span.setAttribute(ATTR.errorType, errorType(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

type Instruments = ReturnType<typeof createInstruments>;
let cached: { provider: MeterProvider; instruments: Instruments } | undefined;

/** The instruments of the meter provider registered now (a test may register another). */
function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (cached?.provider !== provider)
    cached = { provider, instruments: createInstruments(provider) };
  return cached.instruments;
}

function createInstruments(provider: MeterProvider) {
  const meter = provider.getMeter(SCOPE);
  const histogram = (name: string, unit: string, description: string, buckets: number[]) =>
    meter.createHistogram(name, {
      unit,
      description,
      advice: { explicitBucketBoundaries: buckets },
    });
  return {
    duration: histogram(METRIC.duration, 's', 'GenAI operation duration', DURATION_BUCKETS),
    tokens: histogram(METRIC.tokens, '{token}', 'Input and output tokens used', TOKEN_BUCKETS),
    firstChunk: histogram(
      METRIC.timeToFirstChunk,
      's',
      "Time from the call's arrival to its answer's first event",
      DURATION_BUCKETS,
    ),
    overhead: histogram(
      METRIC.overhead,
      's',
      "The gateway's own time in a call: all but the wait for the provider",
      OVERHEAD_BUCKETS,
    ),
    cost: histogram(METRIC.cost, '{USD}', 'What a call cost, in USD', COST_BUCKETS),
    calls: meter.createCounter(METRIC.calls, { unit: '{call}', description: 'Calls, ended' }),
    errors: meter.createCounter(METRIC.errors, {
      unit: '{call}',
      description: 'Calls that ended in an error, by error.type',
    }),
    refusals: meter.createCounter(METRIC.refusals, {
      unit: '{call}',
      description: "Calls the limiter refused, by the limit's name",
    }),
  };
}
