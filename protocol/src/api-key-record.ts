// An API key's verification record: what the admin API projects to Firestore at
// `apiKeys/{sha256 of the key}` and what the functions read to accept the key. Never the key.
import { z } from 'zod';
import { RateTier } from './roles.js';
import type { ConversationAccess } from './token.js';

/**
 * The scopes that reach the key owner's conversations; every other scope is a model id or `*`.
 * A key has none of them unless it is given one: `conversations` reads (list, get),
 * `conversations:write` also renames, deletes and keeps chats in them.
 */
export const CONVERSATION_SCOPES = {
  read: 'conversations',
  write: 'conversations:write',
} as const satisfies Record<ConversationAccess, string>;

const conversationScopes: readonly string[] = Object.values(CONVERSATION_SCOPES);

export const isConversationScope = (scope: string): boolean => conversationScopes.includes(scope);

/** The models a key's scopes name (model ids, or `*`). */
export const modelScopesOf = (scopes: readonly string[]): string[] =>
  scopes.filter((scope) => !isConversationScope(scope));

/** What a key's scopes allow with its owner's conversations; undefined: nothing. */
export function conversationAccessOf(scopes: readonly string[]): ConversationAccess | undefined {
  if (scopes.includes(CONVERSATION_SCOPES.write)) return 'write';
  if (scopes.includes(CONVERSATION_SCOPES.read)) return 'read';
  return undefined;
}

export const ApiKeyRecord = z.object({
  keyId: z.string().min(1),
  /** The uid of the key's owner. */
  owner: z.string().min(1),
  /** Model ids the key may use, or `*`; and its conversation scopes (`CONVERSATION_SCOPES`). */
  scopes: z.array(z.string().min(1)),
  tier: RateTier,
  /** ms since the epoch, or null: when the key stops working on its own. */
  expiresAt: z.number().int().nullable(),
  revokedAt: z.number().int().nullable(),
  /** The end of a rotated key's grace period. */
  notAfter: z.number().int().nullable(),
  /**
   * The owner's account is disabled: the key is refused for as long as it is, and works again
   * when it is re-enabled (the key itself is not revoked). Absent in records written before the
   * field existed, until the reconciler rewrites them: false.
   */
  ownerDisabled: z.boolean().default(false),
  /**
   * The owner's own tier (`effectiveTier`): a call with the key is limited at the key's tier for
   * the key, and at this one for its owner, who cannot raise their own limits by making a key.
   * Absent in records written before the field existed: the key's tier.
   */
  ownerTier: RateTier.optional(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

/**
 * The longest the functions cache a key's record (`API_KEY_CACHE_SECONDS` may only lower it).
 * A record read just before a revocation can stand that long on an instance, which the token
 * denylist's entries allow for (`DENYLIST_TTL_SECONDS`).
 */
export const API_KEY_MAX_CACHE_SECONDS = 30;

/** `cc_` + 8-character prefix + 32 random bytes in base62. */
export const API_KEY_PATTERN = /^cc_[A-Za-z0-9]{8}_?[A-Za-z0-9]{40,}$/;

/**
 * One of our keys anywhere inside a text (`cc_` + 51 base62 characters): logs scrub it, and the
 * admin API's audit log refuses it, so request fields that are audited refuse it too.
 */
export const API_KEY_IN_TEXT = /cc_[0-9A-Za-z]{51}/g;
