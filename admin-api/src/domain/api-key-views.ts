// How a stored key is shown: to callers (a summary, never the key or its hash), to the audit
// log (the same facts, minus the time-dependent status), and who may see which keys.
import { isConversationScope, type ApiKeySummary, type ApiKeyStatus } from '@colonycraft/protocol';
import type pg from 'pg';
import type { Auth } from 'firebase-admin/auth';
import type { StoredApiKey } from '../data/api-keys.js';
import type { KeyProjection } from '../data/key-projection.js';
import type { TokenDenylist } from '../data/token-denylist.js';
import { ApiError } from '../errors.js';
import type { Caller } from './call-context.js';

export interface KeyDeps {
  pool: pg.Pool;
  projection: KeyProjection;
  auth: Auth;
  /** Ends the client tokens already exchanged for a key when it is revoked. */
  denylist: TokenDenylist;
}

export function statusOf(key: StoredApiKey, now: number): ApiKeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && now >= key.expiresAt) return 'expired';
  if (key.graceUntil !== null) return now >= key.graceUntil ? 'rotated' : 'rotating';
  return 'active';
}

/** What the audit log records of a key: every fact but the hash. */
export function auditView(key: StoredApiKey): Omit<ApiKeySummary, 'status'> {
  return {
    id: key.id,
    prefix: key.prefix,
    owner: key.owner,
    name: key.name,
    scopes: key.scopes,
    tier: key.tier,
    expiresAt: key.expiresAt,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt,
    rotatedFrom: key.rotatedFrom,
    graceUntil: key.graceUntil,
  };
}

export function toSummary(key: StoredApiKey, now = Date.now()): ApiKeySummary {
  return { ...auditView(key), status: statusOf(key, now) };
}

/**
 * The owner a caller's key lookups are confined to: members see only their own keys (another
 * member's key is "not found", never "forbidden"), admins and auditors every key.
 */
export function visibleOwner(caller: Caller): string | undefined {
  return caller.role === 'member' ? caller.uid : undefined;
}

/** Auditors change nothing; the routes refuse them first, this keeps the use cases honest. */
export function assertMayChangeKeys(caller: Caller): void {
  if (caller.role === 'auditor') throw new ApiError('forbidden', 'Auditors cannot change keys.');
}

/**
 * A key that reaches its owner's conversations (a conversation scope) is handed only to its
 * owner: whoever creates or rotates a key receives it, and an admin making one for someone
 * else would read their history, which nothing else lets an admin do.
 */
export function assertMayHoldConversations(
  caller: Caller,
  owner: string,
  scopes: readonly string[],
): void {
  if (owner !== caller.uid && scopes.some(isConversationScope)) {
    throw new ApiError(
      'forbidden',
      "scopes: a key with a conversations scope reaches its owner's conversations, so only its owner may create or rotate it.",
    );
  }
}

export const keyTarget = (id: string) => `api_key:${id}`;

export function keyNotFound(id: string): ApiError {
  return new ApiError('not_found', `No API key ${id}.`);
}

/** A projection write that failed is the dependency's failure: 503, with the cause logged. */
export function projectionUnavailable(message: string, cause: unknown): ApiError {
  return new ApiError('unavailable', message, { cause });
}
