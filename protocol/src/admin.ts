// The admin API's requests and responses: users, roles and tiers, API keys, the audit log and
// usage reports. The web's admin console and the admin API both parse with these, and the admin
// API's OpenAPI document is generated from them. Times are milliseconds since the epoch.
import { z } from 'zod';
import { API_KEY_IN_TEXT, CONVERSATION_SCOPES, modelScopesOf } from './api-key-record.js';
import { ModelId } from './chat.js';
import { RateTier, Role } from './roles.js';
import { PrincipalType } from './usage.js';
import { DisplayText, refuseHiddenCharacters } from './validation.js';

/** The one shape of every error the admin API answers with. */
export const AdminErrorCode = z.enum([
  'invalid_request',
  /** The body is larger than the service takes (`BODY_LIMIT`): 413. */
  'too_large',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'unavailable',
  'internal',
]);
export type AdminErrorCode = z.infer<typeof AdminErrorCode>;

export const AdminError = z.object({
  error: z.object({
    code: AdminErrorCode,
    /** For people; names each offending field path on `invalid_request`. */
    message: z.string(),
    /** The `x-request-id` of the request, to quote when asking what happened. */
    requestId: z.string(),
  }),
});
export type AdminError = z.infer<typeof AdminError>;

/**
 * Postgres's `text` refuses NUL, so a field stored in it or compared with it refuses NUL here:
 * a 400 naming the field rather than a database error.
 */
const hasNoNul = (s: string): boolean => !s.includes('\u0000');
const NO_NUL = 'must not contain NUL (\\u0000)';
/** The audit log refuses entries holding a key, so audited fields refuse them first. */
const hasNoKey = (s: string): boolean => s.search(API_KEY_IN_TEXT) < 0;
const NO_KEY = 'must not contain an API key';

/** A uid or another short identifier that reaches Postgres. */
const StoredId = (max: number) => z.string().min(1).max(max).refine(hasNoNul, NO_NUL);

/** The longest grace a rotated key may keep working for: 30 days. */
export const MAX_ROTATION_GRACE_SECONDS = 30 * 24 * 60 * 60;

// ---- users and roles

export const UserSummary = z.object({
  uid: z.string(),
  email: z.string().nullable(),
  displayName: z.string().nullable(),
  /** From the admin API's Postgres; a user without a role row is a member. */
  role: Role,
  /** The rate-limit tier the functions apply: `assignedTier`, else derived from the role. */
  tier: RateTier,
  /** The tier an admin assigned (mirrored into the custom claim `tier`); null: none. */
  assignedTier: RateTier.nullable(),
  disabled: z.boolean(),
});
export type UserSummary = z.infer<typeof UserSummary>;

/** `GET /me`: the caller as the admin API sees them on this request. */
export const Me = z.object({
  uid: z.string(),
  email: z.string().nullable(),
  role: Role,
  tier: RateTier,
});
export type Me = z.infer<typeof Me>;

export const UserList = z.object({
  users: z.array(UserSummary),
  /** Pass as `pageToken` for the next page; null on the last one. */
  nextPageToken: z.string().nullable(),
});
export type UserList = z.infer<typeof UserList>;

export const UserListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  pageToken: z.string().min(1).max(2048).optional(),
});
export type UserListQuery = z.infer<typeof UserListQuery>;

export const SetRoleRequest = z.strictObject({ role: Role });
export type SetRoleRequest = z.infer<typeof SetRoleRequest>;

/** A tier for a user; null removes the assignment, so the tier follows the role again. */
export const SetTierRequest = z.strictObject({ tier: RateTier.nullable() });
export type SetTierRequest = z.infer<typeof SetTierRequest>;

// ---- API keys

/**
 * What a key may reach: the models it may call (model ids, or `*` alone for every model), and
 * its owner's conversations only if it names `conversations` (read: list, get) or
 * `conversations:write` (also rename, delete, and keep chats in them).
 */
export const ApiKeyScopes = z
  .array(
    z
      .union([
        z.literal('*'),
        z.literal(CONVERSATION_SCOPES.read),
        z.literal(CONVERSATION_SCOPES.write),
        ModelId,
      ])
      // Hidden characters include NUL, which Postgres's `text` cannot hold.
      .superRefine(refuseHiddenCharacters)
      .refine(hasNoKey, NO_KEY),
  )
  .min(1, 'must name at least one scope: model ids, "*" or "conversations"')
  .max(100)
  .refine(
    (s) => !s.includes('*') || modelScopesOf(s).length === 1,
    'use "*" alone, not beside model ids',
  )
  .refine((s) => new Set(s).size === s.length, 'must not repeat a scope');

/** `rotating`: replaced, still working until `graceUntil`; `rotated`: past it. */
export const ApiKeyStatus = z.enum(['active', 'rotating', 'rotated', 'revoked', 'expired']);
export type ApiKeyStatus = z.infer<typeof ApiKeyStatus>;

/** A key as every listing shows it: never the key itself, never its hash. */
export const ApiKeySummary = z.object({
  id: z.uuid(),
  /** The key's visible start, `cc_` and 8 characters, to recognise it by. */
  prefix: z.string(),
  owner: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  tier: RateTier,
  expiresAt: z.number().int().nullable(),
  createdAt: z.number().int(),
  revokedAt: z.number().int().nullable(),
  /** The key this one replaced, when it came from a rotation. */
  rotatedFrom: z.uuid().nullable(),
  /** When a rotated key stops working. */
  graceUntil: z.number().int().nullable(),
  /** Derived at the time of the response from the fields above. */
  status: ApiKeyStatus,
});
export type ApiKeySummary = z.infer<typeof ApiKeySummary>;

export const CreateApiKeyRequest = z.strictObject({
  /** A label on one line: no hidden characters (NUL, controls, format characters), never a key. */
  name: DisplayText().min(1, 'must not be empty').max(100).refine(hasNoKey, NO_KEY),
  scopes: ApiKeyScopes,
  /** Members may choose `free` or `standard`; only admins may hand out `unlimited`. */
  tier: RateTier.default('standard'),
  /** Admins may create a key for another user; members only for themselves. */
  owner: StoredId(128).optional(),
  /** When the key stops working on its own; must lie in the future. */
  expiresAt: z.number().int().positive().optional(),
});
export type CreateApiKeyRequest = z.input<typeof CreateApiKeyRequest>;

/** The only response that ever carries the key: shown once, then only its hash is kept. */
export const CreatedApiKey = z.object({ key: z.string(), summary: ApiKeySummary });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const RotateApiKeyRequest = z.strictObject({
  /** How long the old key keeps working beside the new one; 0 stops it at once. */
  graceSeconds: z.number().int().min(0).max(MAX_ROTATION_GRACE_SECONDS),
});
export type RotateApiKeyRequest = z.infer<typeof RotateApiKeyRequest>;

export const ApiKeyListQuery = z.strictObject({
  /** Admins and auditors only: one owner's keys. Without it they see every key. */
  owner: StoredId(128).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
});
export type ApiKeyListQuery = z.input<typeof ApiKeyListQuery>;

export const ApiKeyPage = z.object({
  keys: z.array(ApiKeySummary),
  nextCursor: z.string().nullable(),
});
export type ApiKeyPage = z.infer<typeof ApiKeyPage>;

// ---- audit log

export const AuditEntry = z.object({
  /** Position in the hash chain: 1, 2, 3, … without gaps. */
  id: z.number().int().positive(),
  at: z.number().int(),
  actor: z.string(),
  /** `<subject>.<verb>`, for example `api_key.create` or `user.role.set`. */
  action: z.string(),
  /** `<kind>:<id>`, for example `api_key:6f1c…` or `user:abc`. */
  target: z.string(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** A time as ms since the epoch or an ISO 8601 date-time. */
const Instant = z.union([
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

export const AuditQuery = z.strictObject({
  actor: StoredId(128).optional(),
  action: StoredId(100).optional(),
  target: StoredId(200).optional(),
  /** Inclusive. */
  from: Instant.optional(),
  /** Exclusive. */
  to: Instant.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(200).optional(),
});
export type AuditQuery = z.input<typeof AuditQuery>;

export const AuditPage = z.object({
  /** Newest first. */
  entries: z.array(AuditEntry),
  nextCursor: z.string().nullable(),
});
export type AuditPage = z.infer<typeof AuditPage>;

export const AuditVerification = z.object({
  ok: z.boolean(),
  /** How many entries were checked. */
  entries: z.number().int().nonnegative(),
  /** The id of the first entry whose hash, link or position does not hold. */
  firstBrokenAt: z.number().int().positive().optional(),
  reason: z.string().optional(),
  /** The newest entry's hash: record it elsewhere to detect a truncated tail later. */
  headHash: z.string().nullable(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

// ---- usage

/** The longest range one usage report covers, in days. */
export const MAX_USAGE_REPORT_DAYS = 92;

/** A UTC day, `YYYY-MM-DD`: the id of the functions' daily usage aggregates. */
export const UsageDay = z.iso.date();

export const UsageQuery = z
  .strictObject({
    /** First day, inclusive. Default: 29 days before `to`. */
    from: UsageDay.optional(),
    /** Last day, inclusive. Default: today (UTC). */
    to: UsageDay.optional(),
    /** Whose usage. Default: the caller. Members may name only themselves. */
    uid: z.string().min(1).max(128).optional(),
    /** Also the usage of the user's API keys (each key is its own principal). */
    includeKeys: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /**
     * Every principal's usage (all users and all keys), for admins and auditors; not with `uid`
     * or `includeKeys`, which it already covers.
     */
    all: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: 'must not lie after to',
    path: ['from'],
  })
  .refine((q) => !q.all || (q.uid === undefined && !q.includeKeys), {
    message: 'covers every user and key: leave out uid and includeKeys',
    path: ['all'],
  });
export type UsageQuery = z.input<typeof UsageQuery>;

export const UsageTotals = z.object({
  calls: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type UsageTotals = z.infer<typeof UsageTotals>;

export const NO_USAGE: UsageTotals = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };

/** Float increments leave dust (0.30000000000000004): sums are rounded to a nano-dollar. */
export const roundUsd = (n: number): number => Math.round(n * 1e9) / 1e9;

export function addUsage(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    calls: a.calls + b.calls,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: roundUsd(a.costUsd + b.costUsd),
  };
}

export const ModelUsage = UsageTotals.extend({ model: z.string() });
export type ModelUsage = z.infer<typeof ModelUsage>;

export const DayUsage = UsageTotals.extend({
  day: UsageDay,
  /** Per model, most expensive first. */
  models: z.array(ModelUsage),
});
export type DayUsage = z.infer<typeof DayUsage>;

/** One principal's usage: the user's own calls, or one of their API keys'. */
export const PrincipalUsage = z.object({
  /** A uid or an API key's id. */
  principal: z.string(),
  principalType: PrincipalType,
  /** For an API key: its name and prefix, to recognise it by; null for the user. */
  key: z.object({ name: z.string(), prefix: z.string() }).nullable(),
  totals: UsageTotals,
  /** Only days with usage, oldest first. */
  days: z.array(DayUsage),
});
export type PrincipalUsage = z.infer<typeof PrincipalUsage>;

export const UsageReport = z.object({
  /** Whose usage; null for every user's and key's (`all=true`). */
  uid: z.string().nullable(),
  from: UsageDay,
  to: UsageDay,
  /** Over every principal in the report. */
  totals: UsageTotals,
  /** Over every principal and day, most expensive first. */
  models: z.array(ModelUsage),
  /** The user first, then their keys (with `includeKeys=true`), oldest key first. */
  principals: z.array(PrincipalUsage),
});
export type UsageReport = z.infer<typeof UsageReport>;

/** `PUT /users/:uid/disabled`: disabling ends the user's sessions and client tokens at once. */
export const SetDisabledRequest = z.object({ disabled: z.boolean() });
export type SetDisabledRequest = z.infer<typeof SetDisabledRequest>;

export const UserAccess = z.object({ uid: z.string(), disabled: z.boolean() });
export type UserAccess = z.infer<typeof UserAccess>;
