// `GET /audit` (filtered, newest first, cursor-paged) and `GET /audit/verify` (walks the hash
// chain): admins and auditors only.
import { Router } from 'express';
import type pg from 'pg';
import { AuditQuery } from '@colonycraft/protocol';
import { listAudit, verifyAudit } from '../domain/audit.js';
import { requireRole } from '../http/require-role.js';
import { parse } from '../http/validate.js';

export function auditRoutes(pool: pg.Pool): Router {
  const router = Router();
  router.use('/audit', requireRole('admin', 'auditor'));
  router.get('/audit', async (req, res) => {
    res.json(await listAudit(pool, parse(AuditQuery, req.query, 'query')));
  });
  router.get('/audit/verify', async (_req, res) => {
    res.json(await verifyAudit(pool));
  });
  return router;
}
