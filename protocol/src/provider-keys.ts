// Provider keys as the admin API and its console see them: which providers take one (the rows
// of the provider table, providers.ts, that have a secret), and the requests and answers of
// /providers. A key's value goes in (PUT) and never comes out; at most its last four characters
// do.
import { z } from 'zod';
import { PROVIDER_KEYS } from './providers.js';

/** The providers that take a key; `PUT /providers/{id}/key` names one. */
export const ProviderId = z.enum(PROVIDER_KEYS.map((p) => p.id));
export type ProviderId = z.infer<typeof ProviderId>;

/** The default and the longest time an old key version stays enabled after a rotation. */
export const DEFAULT_PROVIDER_KEY_GRACE_SECONDS = 60 * 60;
export const MAX_PROVIDER_KEY_GRACE_SECONDS = 7 * 24 * 60 * 60;

/** `PUT /providers/{id}/key`. */
export const SetProviderKeyRequest = z.strictObject({
  key: z
    .string()
    .min(8, 'is too short to be a provider key')
    .max(4096)
    .regex(/^\S+$/, 'must not contain spaces or line breaks'),
  /** How long the versions it replaces stay enabled (to roll back to); default one hour. */
  graceSeconds: z.number().int().min(0).max(MAX_PROVIDER_KEY_GRACE_SECONDS).optional(),
});
export type SetProviderKeyRequest = z.infer<typeof SetProviderKeyRequest>;

export const ProviderKeyVersion = z.object({
  version: z.string(),
  state: z.enum(['enabled', 'disabled', 'destroyed']),
  createdAt: z.number(),
  /** Who added it through the admin API; null for a version set elsewhere. */
  createdBy: z.string().nullable(),
  /** When a rotation will disable it; null when none is scheduled. */
  disableAt: z.number().nullable(),
});
export type ProviderKeyVersion = z.infer<typeof ProviderKeyVersion>;

export const ProviderKeyStatus = z.object({
  id: ProviderId,
  displayName: z.string(),
  secretName: z.string(),
  /** An enabled version holds a key. */
  configured: z.boolean(),
  /** The last four characters of the key in use; null when not configured. */
  keyLast4: z.string().max(4).nullable(),
  lastRotatedAt: z.number().nullable(),
  lastRotatedBy: z.string().nullable(),
  versions: z.array(ProviderKeyVersion),
});
export type ProviderKeyStatus = z.infer<typeof ProviderKeyStatus>;

export const ProviderKeyList = z.object({
  /** `google` (Secret Manager) or `local` (the encrypted file of `npm start`). */
  store: z.enum(['google', 'local']),
  providers: z.array(ProviderKeyStatus),
});
export type ProviderKeyList = z.infer<typeof ProviderKeyList>;

/** `PUT /providers/{id}/key`'s answer: the new version, and the ones it will disable. */
export const ProviderKeyRotation = z.object({
  provider: ProviderKeyStatus,
  version: z.string(),
  disablesVersions: z.array(z.string()),
  disableAt: z.number().nullable(),
});
export type ProviderKeyRotation = z.infer<typeof ProviderKeyRotation>;

/** `POST /providers/{id}/test`: a cheap call (its model list) with the stored key. */
export const ProviderKeyTestResult = z.object({
  ok: z.boolean(),
  /** The provider's HTTP status; null when it could not be reached. */
  status: z.number().int().nullable(),
  latencyMs: z.number(),
  /** For people: what the result means and what to do; never the provider's own text. */
  message: z.string(),
});
export type ProviderKeyTestResult = z.infer<typeof ProviderKeyTestResult>;
