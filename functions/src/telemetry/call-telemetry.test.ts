// The spans and metrics of a call, with the SDK's in-memory exporters installed as production
// installs the OTLP ones (telemetry/sdk.ts), through the /v1 app in-process: a streamed answer
// from the keyless local model, a call the limiter refuses, and a provider that fails. No
// attribute of any span, event or metric may hold the prompt, the answer, the caller's
// credential or what the provider's error said.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import type { ClientTokenClaims } from '@colonycraft/protocol';
import { hostFunctions, type HostedFunctions, type HttpFunction } from '../dev/http-host.js';
import { SpyLimitStore } from '../dev/limits/spy-store.js';
import { clearCatalogCache } from '../gateway/catalog-cache.js';
import { policyFromEnv } from '../gateway/policy.js';
import { Limiter } from '../limits/limiter.js';
import { limitsConfigFromEnv } from '../limits/limits-config.js';
import { createLocalProvider } from '../providers/local/local-provider.js';
import { ProviderError, type Provider } from '../providers/provider.js';
import { providerEntry } from '../providers/registry.js';
import { createV1App } from '../v1/v1-app.js';
import { ATTR, METRIC } from './names.js';
import { installTelemetry, type InstalledTelemetry } from './sdk.js';

/** What must appear in no attribute: the prompt, the credential, the provider's words. */
const PROMPT = 'my-secret-prompt-7f3a';
const BEARER = 'caller-credential-9c1e';
const PROVIDER_SAYS = 'upstream-quoted-sk-test-4b2d';

const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
});
let installed: InstalledTelemetry;
let store: SpyLimitStore;
let hosted: HostedFunctions;

/**
 * Beside the local model, a provider in `compatible`'s place whose every chat fails and whose
 * embeddings answer.
 */
const broken: Provider = {
  ...createLocalProvider({ chunkDelayMs: 0 }),
  id: 'compatible',
  models: [
    {
      id: 'compatible/broken',
      displayName: 'Broken',
      contextWindow: 8192,
      inputPrice: 1,
      outputPrice: 1,
      capabilities: [],
    },
    {
      id: 'compatible/embed',
      displayName: 'Embed',
      contextWindow: 8192,
      inputPrice: 1,
      outputPrice: 0,
      capabilities: ['embeddings'],
    },
  ],
  embed: async ({ input }) => ({ embeddings: input.map(() => [0.5, 0.5]), inputTokens: 3 }),
  // eslint-disable-next-line require-yield
  async *streamChat() {
    throw new ProviderError('compatible', `500 from upstream: ${PROVIDER_SAYS}`, { status: 500 });
  },
};

const claimsOf = (bearer: string): ClientTokenClaims => ({
  sub: `user-${bearer.length}`,
  role: 'member',
  models: ['*'],
  tier: 'standard',
  jti: bearer,
});

beforeAll(async () => {
  process.env.LOCAL_PROVIDER = 'enabled';
  process.env.LOCAL_PROVIDER_CHUNK_DELAY_MS = '0';
  clearCatalogCache();
  installed = installTelemetry({
    serviceName: 'telemetry-test',
    spanProcessors: [new SimpleSpanProcessor(spans)],
    metricReaders: [reader],
  });
  const app = createV1App({
    entries: [providerEntry('local'), { ...providerEntry('compatible'), load: async () => broken }],
    policy: policyFromEnv({ GATEWAY_MAX_RETRIES: '0' }),
    limiter: () => new Limiter(store, limitsConfigFromEnv({})),
    identify: async (bearer) => ({
      claims: claimsOf(bearer),
      checkRevocation: async () => undefined,
    }),
    corsOrigins: [],
  });
  hosted = await hostFunctions({ v1: app as unknown as HttpFunction });
});

afterAll(async () => {
  await hosted?.close();
  await installed?.shutdown();
  clearCatalogCache();
});

beforeEach(async () => {
  store = new SpyLimitStore();
  spans.reset();
  await reader.forceFlush();
  metricExporter.reset();
});

/** Calls /v1/chat/completions and reads the whole answer. */
async function ask(
  model: string,
  stream = true,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${hosted.url('v1')}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BEARER}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: PROMPT }] }),
  });
  return { status: response.status, body: await response.text() };
}

/** The call's span and its children, once the call's span has ended. */
async function finishedCall(): Promise<{ call: ReadableSpan; children: ReadableSpan[] }> {
  const isCall = (s: ReadableSpan) => s.attributes[ATTR.operation] !== undefined;
  await expect.poll(() => spans.getFinishedSpans().some(isCall)).toBe(true);
  const all = spans.getFinishedSpans();
  const call = all.find(isCall)!;
  for (const span of all) expect(span.spanContext().traceId).toBe(call.spanContext().traceId);
  const children = all.filter((s) => s !== call);
  for (const child of children) {
    expect(child.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
  }
  return { call, children };
}

const named = (children: ReadableSpan[], name: string): ReadableSpan => {
  const span = children.find((s) => s.name === name);
  if (!span) throw new Error(`no span ${name} among ${children.map((s) => s.name).join(', ')}`);
  return span;
};

/** Every metric collected since the last reset, by name. */
async function collected(): Promise<Map<string, MetricData>> {
  await reader.forceFlush();
  const byName = new Map<string, MetricData>();
  for (const resource of metricExporter.getMetrics()) {
    for (const scope of resource.scopeMetrics) {
      for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
    }
  }
  return byName;
}

const points = (metrics: Map<string, MetricData>, name: string) =>
  (metrics.get(name)?.dataPoints ?? []) as DataPoint<number | Histogram>[];

/** Every attribute value of every span, event and metric point, as text. */
async function everyValue(metrics: Map<string, MetricData>): Promise<string[]> {
  const values: unknown[] = [];
  for (const span of spans.getFinishedSpans()) {
    values.push(span.name, ...Object.values(span.attributes), span.status.message);
    for (const event of span.events)
      values.push(event.name, ...Object.values(event.attributes ?? {}));
  }
  for (const metric of metrics.values()) {
    for (const point of metric.dataPoints) values.push(...Object.values(point.attributes));
  }
  return values.filter((v) => v !== undefined).map((v) => JSON.stringify(v));
}

async function expectNothingSecret(metrics: Map<string, MetricData>): Promise<void> {
  const values = await everyValue(metrics);
  expect(values.length).toBeGreaterThan(10);
  for (const secret of [PROMPT, BEARER, PROVIDER_SAYS, 'You said']) {
    expect(values.filter((v) => v.includes(secret))).toEqual([]);
  }
}

describe('a streamed answer', () => {
  it('when the local model answers, then the call span carries the GenAI attributes, with admission, provider and settle children, and the metrics count it', async () => {
    const { status, body } = await ask('local/echo');
    expect(status).toBe(200);
    expect(body).toContain('[DONE]');

    const { call, children } = await finishedCall();
    expect(call.name).toBe('chat local/echo');
    expect(call.attributes).toMatchObject({
      [ATTR.operation]: 'chat',
      [ATTR.provider]: 'local',
      [ATTR.requestModel]: 'local/echo',
      [ATTR.responseModel]: 'local/echo',
      [ATTR.inputTokens]: expect.any(Number),
      [ATTR.outputTokens]: expect.any(Number),
      [ATTR.finishReasons]: ['stop'],
      [ATTR.status]: 'ok',
      [ATTR.timeToFirstChunk]: expect.any(Number),
      [ATTR.overheadMs]: expect.any(Number),
    });
    expect(call.attributes[ATTR.outputTokens]).toBeGreaterThan(0);
    expect(call.attributes[ATTR.errorType]).toBeUndefined();
    expect(named(children, 'admission').attributes[ATTR.decision]).toBe('admitted');
    const provider = named(children, 'provider local/echo');
    expect(provider.attributes[ATTR.timeToFirstChunk]).toBeGreaterThan(0);
    expect(provider.events.map((e) => e.name)).toEqual(['gen_ai.first_chunk']);
    named(children, 'settle');

    const metrics = await collected();
    const served = { [ATTR.provider]: 'local', [ATTR.responseModel]: 'local/echo' };
    expect(points(metrics, METRIC.calls)).toEqual([
      expect.objectContaining({ value: 1, attributes: { [ATTR.operation]: 'chat', ...served } }),
    ]);
    const tokenTypes = points(metrics, METRIC.tokens).map((p) => p.attributes[ATTR.tokenType]);
    expect(tokenTypes.sort()).toEqual(['input', 'output']);
    for (const name of [METRIC.duration, METRIC.timeToFirstChunk, METRIC.overhead, METRIC.cost]) {
      expect(points(metrics, name), name).toHaveLength(1);
      expect((points(metrics, name)[0]!.value as Histogram).count, name).toBe(1);
    }
    expect(points(metrics, METRIC.errors)).toEqual([]);
    await expectNothingSecret(metrics);
  });
});

describe('an embeddings call', () => {
  it('when the provider answers, then the call is `embeddings {model}` with its input tokens and a provider span', async () => {
    const response = await fetch(`${hosted.url('v1')}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BEARER}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'compatible/embed', input: [PROMPT] }),
    });
    expect(response.status).toBe(200);
    const { call, children } = await finishedCall();
    expect(call.name).toBe('embeddings compatible/embed');
    expect(call.attributes).toMatchObject({
      [ATTR.operation]: 'embeddings',
      [ATTR.provider]: 'compatible',
      [ATTR.responseModel]: 'compatible/embed',
      [ATTR.inputTokens]: 3,
      [ATTR.outputTokens]: 0,
    });
    named(children, 'provider compatible/embed');
    const metrics = await collected();
    expect(points(metrics, METRIC.tokens).map((p) => p.attributes[ATTR.tokenType])).toEqual([
      'input',
    ]);
    await expectNothingSecret(metrics);
  });
});

describe("the caller's trace", () => {
  it("when the request carries traceparent, then the call's span is a child of the caller's", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    await ask('local/echo', false, { traceparent: `00-${traceId}-${parentId}-01` });
    const { call } = await finishedCall();
    expect(call.spanContext().traceId).toBe(traceId);
    expect(call.parentSpanContext?.spanId).toBe(parentId);
  });
});

describe('a refused call', () => {
  it('when the limiter refuses, then the admission span says which limit, the call span is resource-exhausted, and the refusal is counted by limit', async () => {
    store.refusals = 1;
    expect((await ask('local/echo')).status).toBe(429);

    const { call, children } = await finishedCall();
    expect(call.name).toBe('chat local/echo');
    expect(call.attributes[ATTR.errorType]).toBe('resource-exhausted');
    expect(call.status.code).toBe(2); // ERROR
    expect(named(children, 'admission').attributes).toMatchObject({
      [ATTR.decision]: 'refused',
      [ATTR.limit]: 'requests',
      [ATTR.errorType]: 'resource-exhausted',
    });
    expect(children.map((s) => s.name)).toEqual(['admission']);

    const metrics = await collected();
    expect(points(metrics, METRIC.refusals)).toEqual([
      expect.objectContaining({ value: 1, attributes: { [ATTR.limit]: 'requests' } }),
    ]);
    expect(points(metrics, METRIC.errors)).toEqual([
      expect.objectContaining({
        value: 1,
        attributes: { [ATTR.operation]: 'chat', [ATTR.errorType]: 'resource-exhausted' },
      }),
    ]);
    await expectNothingSecret(metrics);
  });
});

describe('a failed provider call', () => {
  it("when the provider fails before its first event, then the provider span has the failure's status and the call span the gateway's kind, and neither its message", async () => {
    expect((await ask('compatible/broken', false)).status).toBe(503);

    const { call, children } = await finishedCall();
    expect(call.attributes).toMatchObject({
      [ATTR.provider]: 'compatible',
      [ATTR.responseModel]: 'compatible/broken',
      [ATTR.status]: 'error',
      [ATTR.errorType]: 'unavailable',
    });
    const provider = named(children, 'provider compatible/broken');
    expect(provider.attributes).toMatchObject({
      [ATTR.provider]: 'compatible',
      [ATTR.errorType]: 'status-500',
    });
    expect(provider.events).toEqual([]);

    const metrics = await collected();
    expect(points(metrics, METRIC.errors)).toEqual([
      expect.objectContaining({
        value: 1,
        attributes: {
          [ATTR.operation]: 'chat',
          [ATTR.provider]: 'compatible',
          [ATTR.responseModel]: 'compatible/broken',
          [ATTR.errorType]: 'unavailable',
        },
      }),
    ]);
    expect(points(metrics, METRIC.timeToFirstChunk)).toEqual([]);
    await expectNothingSecret(metrics);
  });
});
