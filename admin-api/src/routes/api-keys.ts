// `/api-keys`: members manage their own keys, admins everyone's, auditors only read. The key
// itself appears in exactly two responses, creation and rotation, and nowhere else.
import { Router } from 'express';
import { z } from 'zod';
import { ApiKeyListQuery, CreateApiKeyRequest, RotateApiKeyRequest } from '@colonycraft/protocol';
import { createApiKey, getApiKey, listApiKeys } from '../domain/api-keys.js';
import { revokeApiKey, rotateApiKey } from '../domain/api-key-lifecycle.js';
import type { KeyDeps } from '../domain/api-key-views.js';
import { callerOf } from '../http/authenticate.js';
import { contextOf } from '../http/request-context.js';
import { requireRole } from '../http/require-role.js';
import { parse } from '../http/validate.js';

const IdParams = z.object({ id: z.uuid() });
const mayChange = requireRole('admin', 'member');

export function apiKeyRoutes(deps: KeyDeps): Router {
  const router = Router();
  router.post('/api-keys', mayChange, async (req, res) => {
    const request = parse(CreateApiKeyRequest, req.body, 'body');
    res.status(201).json(await createApiKey(deps, contextOf(req, res), request));
  });
  router.get('/api-keys', async (req, res) => {
    const query = parse(ApiKeyListQuery, req.query, 'query');
    res.json(await listApiKeys(deps.pool, callerOf(res.locals), query));
  });
  router.get('/api-keys/:id', async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    res.json(await getApiKey(deps.pool, callerOf(res.locals), id));
  });
  router.delete('/api-keys/:id', mayChange, async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    res.json(await revokeApiKey(deps, contextOf(req, res), id));
  });
  router.post('/api-keys/:id/rotate', mayChange, async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    const { graceSeconds } = parse(RotateApiKeyRequest, req.body, 'body');
    res.status(201).json(await rotateApiKey(deps, contextOf(req, res), id, graceSeconds));
  });
  return router;
}
