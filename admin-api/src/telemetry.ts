// Traces exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/telemetry.md);
// otherwise the SDK is never loaded. The requests' spans come from http/tracing.ts.
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface InstalledTracing {
  shutdown(): Promise<void>;
}

/** Registers a tracer provider on `spanProcessors`, the W3C propagator and a context manager. */
export async function installTracing(
  serviceName: string,
  spanProcessors: SpanProcessor[],
): Promise<InstalledTracing> {
  const [api, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, resources, sdk] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace-base'),
    ]);
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors,
  });
  for (const global of [api.trace, api.context, api.propagation]) global.disable();
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  api.trace.setGlobalTracerProvider(provider);
  return { shutdown: () => provider.shutdown() };
}

/** Starts exporting when the environment names an OTLP endpoint; undefined otherwise. */
export async function startTelemetry(
  env: NodeJS.ProcessEnv = process.env,
): Promise<InstalledTracing | undefined> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const [{ BatchSpanProcessor }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  return installTracing(env.OTEL_SERVICE_NAME ?? env.K_SERVICE ?? 'colonycraft-admin-api', [
    new BatchSpanProcessor(new OTLPTraceExporter()),
  ]);
}
