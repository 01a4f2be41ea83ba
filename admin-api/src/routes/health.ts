// Probes: `/healthz` says the process is alive; `/readyz` that it can reach Postgres and is not
// shutting down (so a load balancer stops sending it new requests while it drains).
import { z } from 'zod';
import type { Queryable } from '../data/db.js';
import { sendError } from '../http/error-response.js';
import { defineRoute, type Route } from '../http/route.js';

const Status = <S extends string>(status: S) => z.object({ status: z.literal(status) });

export interface HealthDeps {
  pool: Queryable;
  /** True from the moment the server starts shutting down. */
  draining: () => boolean;
}

export function healthRoutes({ pool, draining }: HealthDeps): Route[] {
  return [
    defineRoute({
      id: 'healthz',
      method: 'get',
      path: '/healthz',
      tag: 'probes',
      summary: 'Liveness: the process answers.',
      access: 'public',
      response: { status: 200, schema: Status('ok'), description: 'Alive.' },
      handle: () => ({ status: 'ok' }),
    }),
    defineRoute({
      id: 'readyz',
      method: 'get',
      path: '/readyz',
      tag: 'probes',
      summary: 'Readiness: Postgres is reachable and the server is not shutting down.',
      access: 'public',
      response: { status: 200, schema: Status('ready'), description: 'Ready.' },
      errors: ['unavailable'],
      // Failures answer through sendError: a probe's 503 is not worth a log line each time.
      handle: async (_input, _req, res) => {
        if (draining()) return sendError(res, 'unavailable', 'Shutting down.');
        try {
          await pool.query('SELECT 1');
          return { status: 'ready' };
        } catch {
          return sendError(res, 'unavailable', 'Postgres is not reachable.');
        }
      },
    }),
  ];
}
