// What a cold import of the v1 function loads of OpenTelemetry, in a fresh process with module
// hooks (as scripts/bench.ts's cold-start probe): without OTEL_EXPORTER_OTLP_ENDPOINT nothing,
// not even `@opentelemetry/api`, so the cold start does not grow; with it, the SDK and the OTLP
// exporters, which shows the probe would see them.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoPath } from '@colonycraft/testing';

// The compiled modules, as a deployed instance loads them.
const V1 = repoPath('functions/lib/v1/v1.js');
const SDK = repoPath('functions/lib/telemetry/sdk.js');

const probe = `
  const { registerHooks } = await import('node:module');
  const seen = new Set();
  registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.add(r.url); return r; } });
  await import(${JSON.stringify(V1)});
  // The SDK is imported on a later tick when it is wanted: give it the time.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const otel = new Set([...seen].flatMap((url) => /\\/node_modules\\/(@opentelemetry\\/[^/]+)\\//.exec(url)?.[1] ?? []));
  console.log(JSON.stringify({ otel: [...otel].sort(), sdk: seen.has(${JSON.stringify(`file://${SDK}`)}) }));
  process.exit(0);`;

function coldImport(env: Record<string, string>): { otel: string[]; sdk: boolean } {
  const { OTEL_EXPORTER_OTLP_ENDPOINT: _set, ...rest } = process.env;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
    env: { ...rest, GCLOUD_PROJECT: 'demo-colonycraft', ...env },
  }).toString();
  return JSON.parse(output.trim().split('\n').at(-1)!) as { otel: string[]; sdk: boolean };
}

const isSdk = (name: string): boolean =>
  /^@opentelemetry\/(sdk-|exporter-|otlp-|context-async-hooks|resources)/.test(name);

describe('the cold import of v1', () => {
  it('when OTEL_EXPORTER_OTLP_ENDPOINT is unset, then no OpenTelemetry module is loaded', () => {
    const { otel, sdk } = coldImport({});
    expect(sdk).toBe(false);
    expect(otel).toEqual([]);
  });

  it('when OTEL_EXPORTER_OTLP_ENDPOINT is set, then the SDK and the OTLP exporters are loaded', () => {
    const { otel, sdk } = coldImport({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(sdk).toBe(true);
    expect(otel).toEqual(
      expect.arrayContaining([
        '@opentelemetry/sdk-trace-base',
        '@opentelemetry/sdk-metrics',
        '@opentelemetry/exporter-trace-otlp-http',
        '@opentelemetry/exporter-metrics-otlp-http',
      ]),
    );
    expect(otel.filter(isSdk).length).toBeGreaterThan(4);
  });
});
