// `GET /me`: who the caller is and what role they hold.
import { Router } from 'express';
import { callerOf } from '../http/authenticate.js';

export function meRoutes(): Router {
  const router = Router();
  router.get('/me', (_req, res) => {
    res.json(callerOf(res.locals));
  });
  return router;
}
