// The OpenTelemetry SDK: loaded only when something is to be exported (telemetry/start.ts, on
// OTEL_EXPORTER_OTLP_ENDPOINT) or a test installs in-memory exporters. It registers the global
// tracer and meter providers that `@opentelemetry/api` hands out, the W3C trace-context
// propagator, and an AsyncLocalStorage context manager, so a span started anywhere in a call
// has the call's span as its parent.
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { setCallTracer } from './call-telemetry.js';
import { otelCallTracer } from './traced-call.js';

export interface InstalledTelemetry {
  /** Exports what is pending, then stops both providers. */
  shutdown(): Promise<void>;
}

/**
 * Registers tracer and meter providers built on `spanProcessors` and `metricReaders` as the
 * process's globals, and switches the calls' telemetry on.
 */
export function installTelemetry(options: {
  serviceName: string;
  spanProcessors: SpanProcessor[];
  metricReaders: MetricReader[];
}): InstalledTelemetry {
  const resource = resourceFromAttributes({ 'service.name': options.serviceName });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: options.spanProcessors,
  });
  const meterProvider = new MeterProvider({ resource, readers: options.metricReaders });
  // A test may install twice in one process: the API keeps the first registration otherwise.
  for (const api of [trace, metrics, context, propagation]) api.disable();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  setCallTracer(otelCallTracer);
  return {
    async shutdown() {
      setCallTracer(undefined);
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

/**
 * Exports over OTLP/HTTP (protobuf-free JSON) to `OTEL_EXPORTER_OTLP_ENDPOINT` (the exporters
 * read it, and `OTEL_EXPORTER_OTLP_HEADERS`, themselves): spans in batches, metrics every
 * `OTEL_METRIC_EXPORT_INTERVAL` ms (60 s by default). Pending data is flushed on SIGTERM,
 * which Cloud Run sends before it stops an instance.
 */
export function exportTelemetry(env: NodeJS.ProcessEnv): InstalledTelemetry {
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
  const installed = installTelemetry({
    serviceName: env.OTEL_SERVICE_NAME ?? env.K_SERVICE ?? 'colonycraft-functions',
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
    metricReaders: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: Number.isFinite(interval) && interval > 0 ? interval : 60_000,
      }),
    ],
  });
  process.once('SIGTERM', () => {
    void installed
      .shutdown()
      .catch(() => {})
      .finally(() => {
        // A listener stops Node's own exit on SIGTERM: where no one else handles it, exit as
        // Node would have, once what was pending has gone.
        if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
      });
  });
  return installed;
}
