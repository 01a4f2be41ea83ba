// The admin API's whole configuration: one schema, parsed once at start-up. The process
// refuses to start on bad config, naming the variable.
import { z } from 'zod';
import { describeIssues } from '@colonycraft/protocol';

const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
);

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is required (a postgres:// URL)'),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  CORS_ORIGINS: csv.default([]),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
  /** Redis of the functions' token denylist, so disabling a user ends their tokens at once. */
  REDIS_URL: z.string().optional(),
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
  redisUrl: string | undefined;
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
    redisUrl: c.REDIS_URL,
  });
}
