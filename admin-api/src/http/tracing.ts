// Each request as a server span that joins the caller's trace (W3C trace context: the
// `traceparent` header), so a call that reaches the admin API from the functions, the web app
// or a program carrying one shows up in the same trace. Through `@opentelemetry/api` alone:
// until src/telemetry.ts has installed the SDK (OTEL_EXPORTER_OTLP_ENDPOINT), extracting reads
// nothing and the span is a no-op. The span is named by the route's pattern
// (`GET /api-keys/:id`), never the raw path, and holds no header, query or body.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { RequestHandler } from 'express';

const SCOPE = '@colonycraft/admin-api';

export const traceRequests: RequestHandler = (req, res, next) => {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  // Asked each time: a tracer taken before the SDK was installed would stay a no-op.
  const span = trace
    .getTracer(SCOPE)
    .startSpan(
      req.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } },
      parent,
    );
  res.once('close', () => {
    const route = res.locals.route;
    if (route) span.updateName(`${req.method} ${route}`).setAttribute('http.route', route);
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) {
      span.setAttribute('error.type', String(res.statusCode));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
};
