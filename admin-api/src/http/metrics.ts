// Prometheus metrics: the process's defaults (CPU, memory, event loop, GC) and every HTTP
// request counted and timed by method, route pattern and status. The route label is the
// pattern from the route table (`/api-keys/:id`), never the raw path, so ids cannot blow up the
// label set; anything that matched no route is `unmatched`. Each app has its own registry, so
// several apps in one process (tests) do not collide.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ApiError } from '../errors.js';

export interface Metrics {
  registry: Registry;
  /** Counts and times each request when its response finishes. */
  observe: RequestHandler;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route pattern and status.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds by method, route pattern and status.',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const observe: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = {
        method: req.method,
        route: res.locals.route ?? 'unmatched',
        status: String(res.statusCode),
      };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
  return { registry, observe };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Open while no token is configured (a local stack); otherwise Bearer <METRICS_TOKEN> only. */
export function metricsGuard(token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return (req, _res, next) => {
    if (expected) {
      const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
      // Compared as digests: equal lengths for timingSafeEqual, and no early exit on length.
      if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
        throw new ApiError('unauthenticated', 'Send the metrics token as Bearer.');
      }
    }
    next();
  };
}
