// What the call pipeline sees of telemetry: one `traced` call per gateway call and a handful
// of hooks on it (CallTelemetry). It imports nothing from OpenTelemetry: until telemetry/sdk.ts
// has installed a tracer (only when OTEL_EXPORTER_OTLP_ENDPOINT is set, or in a test), every
// call gets the same no-op, so an instance that exports nothing loads no OpenTelemetry module
// at all and a call builds no attribute. The traced implementation is telemetry/traced-call.ts.
import type { StreamEvent } from '@colonycraft/protocol';
import type { Operation } from './names.js';

/** What a call used, as its usage record says it. */
export interface CallUse {
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  estimated: boolean;
  status: string;
}

/** The target answering a call: `provider/model` and its provider. */
export interface Served {
  id: string;
  provider: string;
}

export interface CallTelemetry {
  /** The request's model, once parsed. */
  requested(model: string): void;
  /** The revocation check and the limiter's decision, as the `admission` span. */
  admit<T>(admitting: () => Promise<T>): Promise<T>;
  /** A write after the answer: `record` (Firestore) or `settle` (the limiter). */
  step<T>(name: 'record' | 'settle', work: () => Promise<T>): Promise<T>;
  /** A provider's answer as a stream of events, as one `provider` span; marks the first. */
  answer(events: AsyncIterable<StreamEvent>, served: () => Served): AsyncIterable<StreamEvent>;
  /** One provider's reply that is not streamed (embeddings), as one `provider` span. */
  reply<T>(served: Served, replying: Promise<T>): Promise<T>;
  /** What the call used, and the gateway's own time in it so far. */
  used(use: CallUse, overheadMs: number): void;
}

const NOOP: CallTelemetry = {
  requested() {},
  admit: (admitting) => admitting(),
  step: (_name, work) => work(),
  answer: (events) => events,
  reply: (_served, replying) => replying,
  used() {},
};

/** A call being traced: its hooks, and how it runs and ends. */
export interface TracingCall extends CallTelemetry {
  /** Runs `call` with the call's span as the active one. */
  run<R>(call: () => Promise<R>): Promise<R>;
  /** Ends the call's span and records its metrics; `error` when it failed. */
  end(error: unknown): void;
}

/** What telemetry/sdk.ts installs: how a call is traced, and a request's trace joined. */
export interface CallTracer {
  start(operation: Operation, callId: string): TracingCall;
  join(headers: Record<string, unknown>, next: () => void): void;
}

let tracer: CallTracer | undefined;

/** Installs (or, with undefined, removes) the tracer every call uses from now on. */
export function setCallTracer(installed: CallTracer | undefined): void {
  tracer = installed;
}

/**
 * Runs `call` as one traced call: its span is the parent of everything the call starts, and
 * its metrics are recorded once it has settled, however it ended.
 */
export async function traced<R>(
  operation: Operation,
  callId: string,
  call: (telemetry: CallTelemetry) => Promise<R>,
): Promise<R> {
  if (!tracer) return call(NOOP);
  const telemetry = tracer.start(operation, callId);
  try {
    const result = await telemetry.run(() => call(telemetry));
    telemetry.end(undefined);
    return result;
  } catch (error) {
    telemetry.end(error);
    throw error;
  }
}

/**
 * Runs `next` under the trace context a request carries (W3C `traceparent`), so the calls it
 * makes join its caller's trace.
 */
export function joinTrace(headers: Record<string, unknown>, next: () => void): void {
  if (!tracer) return next();
  tracer.join(headers, next);
}
