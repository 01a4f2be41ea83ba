// API keys: create, list, read. Creation commits the key to Postgres first and only then
// publishes its Firestore verification record, so a projection can never exist for a key the
// system of record does not hold. The key is returned once, here, and never stored.
import { z } from 'zod';
import type {
  ApiKeyListQuery,
  ApiKeyPage,
  ApiKeySummary,
  CreateApiKeyRequest,
  CreatedApiKey,
} from '@colonycraft/protocol';
import { findKey, insertKey, listKeys } from '../data/api-keys.js';
import { inTransaction, type Queryable } from '../data/db.js';
import { ApiError } from '../errors.js';
import { decodeCursor, encodeCursor } from '../lib/cursor.js';
import { generateApiKey } from './api-key-format.js';
import { publishCreated } from './api-key-publish.js';
import {
  assertMayChangeKeys,
  assertMayHoldConversations,
  auditView,
  keyNotFound,
  keyTarget,
  toSummary,
  visibleOwner,
  type KeyDeps,
} from './api-key-views.js';
import { appendAudit } from './audit.js';
import type { CallContext, Caller } from './call-context.js';
import { ensureUserExists } from './users.js';

export async function createApiKey(
  deps: KeyDeps,
  ctx: CallContext,
  request: z.output<typeof CreateApiKeyRequest>,
): Promise<CreatedApiKey> {
  const { caller } = ctx;
  assertMayChangeKeys(caller);
  const owner = request.owner ?? caller.uid;
  if (caller.role !== 'admin' && owner !== caller.uid) {
    throw new ApiError('forbidden', 'Members may create keys only for themselves.');
  }
  assertMayHoldConversations(caller, owner, request.scopes);
  if (caller.role !== 'admin' && request.tier === 'unlimited') {
    throw new ApiError('forbidden', 'Only admins may create keys with the unlimited tier.');
  }
  if (request.expiresAt !== undefined && request.expiresAt <= Date.now()) {
    throw new ApiError('invalid_request', 'Invalid body: expiresAt: must lie in the future');
  }
  if (owner !== caller.uid) await ensureUserExists(deps.auth, owner, 'body.owner');

  const fresh = generateApiKey();
  const created = await inTransaction(deps.pool, async (tx) => {
    const key = await insertKey(tx, {
      hash: fresh.hash,
      prefix: fresh.prefix,
      owner,
      name: request.name,
      scopes: request.scopes,
      tier: request.tier,
      expiresAt: request.expiresAt ?? null,
      rotatedFrom: null,
    });
    await appendAudit(tx, ctx, {
      action: 'api_key.create',
      target: keyTarget(key.id),
      before: null,
      after: auditView(key),
    });
    return key;
  });
  await publishCreated(deps, ctx, created);
  return { key: fresh.key, summary: toSummary(created) };
}

// `c` is a creation time in ms: within what a Date (and so Postgres) can hold, or the query fails.
const KeyCursor = z.object({ c: z.number().int().min(0).max(8.64e15), i: z.uuid() });

export async function listApiKeys(
  db: Queryable,
  caller: Caller,
  query: z.output<typeof ApiKeyListQuery>,
): Promise<ApiKeyPage> {
  if (caller.role === 'member' && query.owner !== undefined && query.owner !== caller.uid) {
    throw new ApiError('forbidden', 'Members may list only their own keys.');
  }
  const owner = visibleOwner(caller) ?? query.owner;
  const after = query.cursor ? decodeCursor(KeyCursor, query.cursor) : undefined;
  const rows = await listKeys(db, {
    ...(owner === undefined ? {} : { owner }),
    limit: query.limit + 1,
    ...(after ? { after: { createdAt: after.c, id: after.i } } : {}),
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const now = Date.now();
  return {
    keys: page.map((key) => toSummary(key, now)),
    nextCursor:
      rows.length > query.limit && last ? encodeCursor({ c: last.createdAt, i: last.id }) : null,
  };
}

export async function getApiKey(db: Queryable, caller: Caller, id: string): Promise<ApiKeySummary> {
  const owner = visibleOwner(caller);
  const key = await findKey(db, id, owner === undefined ? {} : { owner });
  if (!key) throw keyNotFound(id);
  return toSummary(key);
}
