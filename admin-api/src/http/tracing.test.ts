// The admin API joins its caller's trace: a request carrying `traceparent` becomes a server span
// in that trace, a child of the caller's span, named by its route's pattern; with the SDK
// installed as src/telemetry.ts installs it, and an in-memory exporter.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { installTracing, type InstalledTracing } from '../telemetry.js';
import { traceRequests } from './tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

const spans = new InMemorySpanExporter();
let tracing: InstalledTracing;
let server: Server;
let url: string;

beforeAll(async () => {
  tracing = await installTracing('admin-api-test', [new SimpleSpanProcessor(spans)]);
  const app = express();
  app.use(traceRequests);
  app.get(
    '/api-keys/:id',
    (_req, res, next) => {
      res.locals.route = '/api-keys/:id';
      next();
    },
    (_req, res) => {
      res.json({ ok: true });
    },
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await tracing?.shutdown();
});

describe('trace context', () => {
  it("when a request carries traceparent, then its span is in the caller's trace, under the caller's span, named by its route", async () => {
    spans.reset();
    const response = await fetch(`${url}/api-keys/k-123`, {
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
    });
    expect(response.status).toBe(200);
    await expect.poll(() => spans.getFinishedSpans().length).toBe(1);
    const [span] = spans.getFinishedSpans();
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(span!.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(span!.name).toBe('GET /api-keys/:id');
    expect(span!.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/api-keys/:id',
      'http.response.status_code': 200,
    });
  });

  it('when a request carries none, then its span starts a trace of its own', async () => {
    spans.reset();
    await fetch(`${url}/api-keys/k-456`);
    await expect.poll(() => spans.getFinishedSpans().length).toBe(1);
    const [span] = spans.getFinishedSpans();
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.spanContext().traceId).not.toBe(TRACE_ID);
  });
});
