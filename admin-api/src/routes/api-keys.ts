// `/api-keys`: members manage their own keys, admins everyone's, auditors only read. The key
// itself appears in exactly two responses, creation and rotation, and nowhere else.
import { z } from 'zod';
import {
  ApiKeyListQuery,
  ApiKeyPage,
  ApiKeySummary,
  CreateApiKeyRequest,
  CreatedApiKey,
  RotateApiKeyRequest,
} from '@colonycraft/protocol';
import { createApiKey, getApiKey, listApiKeys } from '../domain/api-keys.js';
import { revokeApiKey, rotateApiKey } from '../domain/api-key-lifecycle.js';
import type { KeyDeps } from '../domain/api-key-views.js';
import { callerOf } from '../http/authenticate.js';
import { contextOf } from '../http/request-context.js';
import { defineRoute, type Route } from '../http/route.js';

const IdParams = z.object({ id: z.uuid() });

export function apiKeyRoutes(deps: KeyDeps): Route[] {
  return [
    defineRoute({
      id: 'createApiKey',
      method: 'post',
      path: '/api-keys',
      tag: 'api-keys',
      summary: 'Creates a key; the only time the key itself is shown.',
      description: 'Members create keys for themselves only, and not of the `unlimited` tier.',
      access: ['admin', 'member'],
      body: CreateApiKeyRequest,
      response: { status: 201, schema: CreatedApiKey, description: 'The key and its summary.' },
      errors: ['unavailable'],
      handle: ({ body }, req, res) => createApiKey(deps, contextOf(req, res), body),
    }),
    defineRoute({
      id: 'listApiKeys',
      method: 'get',
      path: '/api-keys',
      tag: 'api-keys',
      summary: 'Keys, newest first: members their own, admins and auditors all or `?owner=`.',
      access: 'signed-in',
      query: ApiKeyListQuery,
      response: { status: 200, schema: ApiKeyPage, description: 'A page of keys.' },
      errors: ['forbidden'],
      handle: ({ query }, _req, res) => listApiKeys(deps.pool, callerOf(res.locals), query),
    }),
    defineRoute({
      id: 'getApiKey',
      method: 'get',
      path: '/api-keys/:id',
      tag: 'api-keys',
      summary: "One key; another member's key is not found.",
      access: 'signed-in',
      params: IdParams,
      response: { status: 200, schema: ApiKeySummary, description: 'The key.' },
      errors: ['not_found'],
      handle: ({ params }, _req, res) => getApiKey(deps.pool, callerOf(res.locals), params.id),
    }),
    defineRoute({
      id: 'revokeApiKey',
      method: 'delete',
      path: '/api-keys/:id',
      tag: 'api-keys',
      summary: 'Revokes a key; repeating it is a no-op.',
      access: ['admin', 'member'],
      params: IdParams,
      response: { status: 200, schema: ApiKeySummary, description: 'The revoked key.' },
      errors: ['not_found', 'unavailable'],
      handle: ({ params }, req, res) => revokeApiKey(deps, contextOf(req, res), params.id),
    }),
    defineRoute({
      id: 'rotateApiKey',
      method: 'post',
      path: '/api-keys/:id/rotate',
      tag: 'api-keys',
      summary: 'Replaces a key; the old one works until now + `graceSeconds`.',
      access: ['admin', 'member'],
      params: IdParams,
      body: RotateApiKeyRequest,
      response: { status: 201, schema: CreatedApiKey, description: 'The new key.' },
      errors: ['not_found', 'conflict', 'unavailable'],
      handle: ({ params, body }, req, res) =>
        rotateApiKey(deps, contextOf(req, res), params.id, body.graceSeconds),
    }),
  ];
}
