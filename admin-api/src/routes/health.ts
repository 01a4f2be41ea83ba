// Probes: `/healthz` says the process is alive; `/readyz` that it can reach Postgres.
import { Router } from 'express';
import type { Queryable } from '../data/db.js';
import { sendError } from '../http/errors.js';

export function healthRoutes(db: Queryable): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await db.query('SELECT 1');
      res.json({ status: 'ready' });
    } catch {
      sendError(res, 'unavailable', 'Postgres is not reachable.');
    }
  });
  return router;
}
