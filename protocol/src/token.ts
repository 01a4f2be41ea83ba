// Client tokens: the short-lived JWTs that `exchangeToken` issues and every provider endpoint
// verifies without a database call.
import { z } from 'zod';
import { API_KEY_MAX_CACHE_SECONDS } from './api-key-record.js';
import { RateTier, Role } from './roles.js';

export const CLIENT_TOKEN_ISSUER = 'colonycraft';
export const CLIENT_TOKEN_AUDIENCE = 'colonycraft-gateway';
/** Upper bound on a client token's lifetime, in seconds. */
export const CLIENT_TOKEN_MAX_TTL_SECONDS = 15 * 60;

/**
 * What an API key's client token may do with its owner's conversations: `read` (list, get) or
 * `write` (also rename, delete, and keep chats in them). From the key's `conversations` and
 * `conversations:write` scopes.
 */
export const ConversationAccess = z.enum(['read', 'write']);
export type ConversationAccess = z.infer<typeof ConversationAccess>;

export const ClientTokenClaims = z.object({
  sub: z.string().min(1),
  role: Role,
  /** Model ids (`provider/model`) or `*` for every model. */
  models: z.array(z.string().min(1)),
  tier: RateTier,
  jti: z.string().min(1),
  /** The API key's id, when the caller is a program using one: usage and limits attach to it. */
  key: z.string().min(1).optional(),
  /** With `key`: the owner's own tier, at which the owner's limits are taken (`tier` is the key's). */
  ownerTier: RateTier.optional(),
  /**
   * With `key`: the owner's conversations the token may reach; absent, none. A token without
   * `key` is the person's own sign-in, which reaches all of their own conversations.
   */
  conversations: ConversationAccess.optional(),
});
export type ClientTokenClaims = z.infer<typeof ClientTokenClaims>;

export const ExchangeTokenResponse = z.object({
  token: z.string(),
  /** Milliseconds since the epoch. */
  expiresAt: z.number().int(),
  claims: ClientTokenClaims,
});
export type ExchangeTokenResponse = z.infer<typeof ExchangeTokenResponse>;

/** Every call to a provider endpoint carries the client token beside its own payload. */
export const WithClientToken = z.object({ clientToken: z.string().min(1) });

/**
 * How long a denylist entry lives: longer than any token it covers can. That is a token's
 * lifetime, plus the longest an API key's record is cached (a token minted from a record read
 * just before the entry was written, should the exchange not see the entry), plus a minute
 * for clocks that differ between the instance that mints a token and the one that checks it.
 */
export const DENYLIST_TTL_SECONDS = CLIENT_TOKEN_MAX_TTL_SECONDS + API_KEY_MAX_CACHE_SECONDS + 60;

/**
 * Redis keys of the client-token denylist: the functions check them on every call (and
 * `exchangeApiKey` before it mints), the admin API writes a subject's when it disables the
 * account, and an API key's when it revokes the key or rotates it without grace (the client
 * tokens exchanged for it carry its id). Entries live `DENYLIST_TTL_SECONDS`.
 */
export const denylistKey = {
  token: (jti: string): string => `cc:deny:jti:${jti}`,
  subject: (sub: string): string => `cc:deny:sub:${sub}`,
  apiKey: (keyId: string): string => `cc:deny:key:${keyId}`,
};
