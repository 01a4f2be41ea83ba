// The admin API's whole configuration: one schema, parsed once at start-up. The process
// refuses to start on bad config, naming the variable.
import { z } from 'zod';
import {
  COMPATIBLE_PRESET_NAMES,
  describeIssues,
  isCompatiblePresetName,
  PROVIDER_KEYS,
  type CompatiblePresetName,
  type ProviderBaseUrlVariable,
  type ProviderId,
} from '@colonycraft/protocol';
import { parseLocalSecretsKey } from '@colonycraft/secrets';

const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
);

/** A provider's base URL: http or https only (a key check sends the key there). */
const baseUrl = (name: string) =>
  z.url({ protocol: /^https?$/, error: `${name} must be an http(s) URL` }).optional();

/**
 * Where each provider's key check goes: the base-URL variable of each row of the provider
 * table that takes a key, the same variables the functions read.
 */
const providerBaseUrlVariables = Object.fromEntries(
  PROVIDER_KEYS.map(({ baseUrlVariable }) => [baseUrlVariable, baseUrl(baseUrlVariable)]),
) as Record<ProviderBaseUrlVariable, ReturnType<typeof baseUrl>>;

/** Checked with the secrets package's own parser; the message never repeats the value. */
const localSecretsKey = z
  .string()
  .optional()
  .refine(
    (value) => {
      if (value === undefined) return true;
      try {
        parseLocalSecretsKey(value);
        return true;
      } catch {
        return false;
      }
    },
    { error: 'must be 32 bytes, as base64 or 64 hex digits (`openssl rand -base64 32`)' },
  );

const ConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8081),
    /** Loopback unless told otherwise: the image sets 0.0.0.0 for Cloud Run and Kubernetes. */
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: z.string().min(1, 'DATABASE_URL is required (a postgres:// URL)'),
    DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
    CORS_ORIGINS: csv.default([]),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    BODY_LIMIT: z.string().default('100kb'),
    GCLOUD_PROJECT: z.string().optional(),
    FIREBASE_AUTH_EMULATOR_HOST: z.string().optional(),
    /** Read by firebase-admin itself; listed so the doc of every variable lives here. */
    FIRESTORE_EMULATOR_HOST: z.string().optional(),
    /** How often the server repairs the Firestore key projection from Postgres; 0 turns it off. */
    RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(300),
    /** How long a projection write may take before the mutation gives up with 503. */
    PROJECTION_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    /** JSON list of users to create in the Auth emulator at start-up (local stacks only). */
    SEED_USERS: z.string().optional(),
    /** Bearer token `/metrics` requires; unset leaves it open (local stacks). */
    METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
    /** On SIGTERM, how long in-flight requests may take before their connections are cut. */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    /**
     * Proxies in front of the service that each append one X-Forwarded-For entry (Cloud Run's
     * front end: 1, which its manifest sets). The client's address is the entry the outermost of
     * them appended; entries to its left are the caller's own words. 0 by default: where callers
     * connect directly (a local stack, a published container port) every entry is theirs.
     */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).default(0),
    /** Redis of the functions' token denylist, so disabling a user ends their tokens at once. */
    REDIS_URL: z.string().optional(),
    /** Where provider keys live: Google Secret Manager, or the sealed local file (`npm start`). */
    SECRET_STORE: z.enum(['google', 'local']).default('local'),
    /** The Secret Manager project; else GOOGLE_CLOUD_PROJECT, else GCLOUD_PROJECT. */
    SECRET_MANAGER_PROJECT: z.string().optional(),
    GOOGLE_CLOUD_PROJECT: z.string().optional(),
    /** KEY=VALUE lines read as each secret's version 1 (`functions/.secret.local`). */
    LOCAL_SECRETS_DOTENV: z.string().optional(),
    /** The sealed file that keeps added versions; unset, the local store is read-only. */
    LOCAL_SECRETS_FILE: z.string().optional(),
    /** 32 bytes (base64 or hex) sealing LOCAL_SECRETS_FILE. A secret. */
    LOCAL_SECRETS_KEY: localSecretsKey,
    ...providerBaseUrlVariables,
    COMPATIBLE_PRESET: z
      .string()
      .refine(isCompatiblePresetName, {
        error: `is not a known preset; known: ${COMPATIBLE_PRESET_NAMES.join(', ')}`,
      })
      .optional(),
    /** How often versions whose grace has ended are disabled; 0 turns the timer off. */
    PROVIDER_KEY_SWEEP_SECONDS: z.coerce.number().int().min(0).default(30),
  })
  .superRefine((c, ctx) => {
    const project = c.SECRET_MANAGER_PROJECT ?? c.GOOGLE_CLOUD_PROJECT ?? c.GCLOUD_PROJECT;
    if (c.SECRET_STORE === 'google' && project === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['SECRET_MANAGER_PROJECT'],
        message: 'SECRET_STORE=google needs the project (or GOOGLE_CLOUD_PROJECT, GCLOUD_PROJECT)',
      });
    }
    if (c.SECRET_STORE === 'local' && c.LOCAL_SECRETS_FILE && !c.LOCAL_SECRETS_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['LOCAL_SECRETS_KEY'],
        message: 'is required with LOCAL_SECRETS_FILE (`openssl rand -base64 32`)',
      });
    }
  });

export type Config = Readonly<{
  port: number;
  host: string;
  databaseUrl: string;
  databasePoolSize: number;
  corsOrigins: readonly string[];
  logLevel: string;
  bodyLimit: string;
  projectId: string | undefined;
  authEmulator: boolean;
  reconcileIntervalSeconds: number;
  projectionTimeoutMs: number;
  seedUsers: string | undefined;
  metricsToken: string | undefined;
  shutdownTimeoutMs: number;
  /** Express's `trust proxy`: how many X-Forwarded-For entries, from the right, to believe. */
  trustProxyHops: number;
  redisUrl: string | undefined;
  secretStore: 'google' | 'local';
  /** The Secret Manager project (SECRET_STORE=google). */
  secretManagerProject: string | undefined;
  /** The local store's files and sealing key (SECRET_STORE=local); the key is a secret. */
  localSecrets: Readonly<{
    dotenvPath: string | undefined;
    file: string | undefined;
    key: string | undefined;
  }>;
  /** Each provider's base-URL variable (OPENAI_BASE_URL, …) as given. */
  providerBaseUrls: Readonly<Record<ProviderId, string | undefined>>;
  compatiblePreset: CompatiblePresetName | undefined;
  providerKeySweepSeconds: number;
}>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`FOO=`, common in compose files) means unset.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = ConfigSchema.safeParse(given);
  if (!parsed.success) throw new Error(`Invalid configuration: ${describeIssues(parsed.error)}`);
  const c = parsed.data;
  return Object.freeze({
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    databasePoolSize: c.DATABASE_POOL_SIZE,
    corsOrigins: Object.freeze(c.CORS_ORIGINS),
    logLevel: c.LOG_LEVEL,
    bodyLimit: c.BODY_LIMIT,
    projectId: c.GCLOUD_PROJECT,
    authEmulator: c.FIREBASE_AUTH_EMULATOR_HOST !== undefined,
    reconcileIntervalSeconds: c.RECONCILE_INTERVAL_SECONDS,
    projectionTimeoutMs: c.PROJECTION_TIMEOUT_MS,
    seedUsers: c.SEED_USERS,
    metricsToken: c.METRICS_TOKEN,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    trustProxyHops: c.TRUST_PROXY_HOPS,
    redisUrl: c.REDIS_URL,
    secretStore: c.SECRET_STORE,
    secretManagerProject: c.SECRET_MANAGER_PROJECT ?? c.GOOGLE_CLOUD_PROJECT ?? c.GCLOUD_PROJECT,
    localSecrets: Object.freeze({
      dotenvPath: c.LOCAL_SECRETS_DOTENV,
      file: c.LOCAL_SECRETS_FILE,
      key: c.LOCAL_SECRETS_KEY,
    }),
    providerBaseUrls: Object.freeze(
      Object.fromEntries(PROVIDER_KEYS.map((p) => [p.id, c[p.baseUrlVariable]])) as Record<
        ProviderId,
        string | undefined
      >,
    ),
    compatiblePreset: c.COMPATIBLE_PRESET as CompatiblePresetName | undefined,
    providerKeySweepSeconds: c.PROVIDER_KEY_SWEEP_SECONDS,
  });
}
