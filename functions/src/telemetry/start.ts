// Switches export on when OTEL_EXPORTER_OTLP_ENDPOINT is set, and only then loads OpenTelemetry
// (the API, the SDK and the exporters): with it unset no OpenTelemetry module is imported and
// every call gets the no-op of call-telemetry.ts, so the cold start does not grow
// (telemetry/no-export.test.ts checks what a cold import loads).
let starting: Promise<void> | undefined;

/** Starts exporting once per process when the environment asks for it; resolves when ready. */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return Promise.resolve();
  starting ??= import('./sdk.js').then(
    ({ exportTelemetry }) => void exportTelemetry(env),
    (error: unknown) => console.error('telemetry: the OpenTelemetry SDK could not load', error),
  );
  return starting;
}
