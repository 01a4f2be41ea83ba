// Where an instance keeps what every instance must share: rate limits, budgets and the
// client-token denylist. That is Redis (`REDIS_URL`, or `REDIS_CLUSTER_NODES` for a Redis
// Cluster). Without it each instance keeps its own,
// so the limits multiply by the number of instances and a revocation reaches only the instance
// that wrote it: the embedded local default (the emulator), which must not happen by accident
// once deployed. Outside the emulator an instance without REDIS_URL therefore refuses every
// call that needs them, naming both variables, unless ALLOW_PER_INSTANCE_LIMITS=true says it
// is meant (a test, or a single instance on purpose).
import { logger } from 'firebase-functions/logger';
import { GatewayError } from './errors.js';
import { redisTargetFromEnv } from './limits/redis-store.js';

const REFUSAL =
  'REDIS_URL is not set, so rate limits and token revocation would hold per instance only. ' +
  'Set REDIS_URL to a Redis every instance shares, or ALLOW_PER_INSTANCE_LIMITS=true to ' +
  'accept per-instance limits and revocation.';

let told = false;
/** Logged once per instance: the refusal, or that per-instance stores were chosen outside the emulator. */
function tellOnce(log: () => void): void {
  if (told) return;
  told = true;
  log();
}

/** Whether this instance may keep limits and the denylist in process when REDIS_URL is unset. */
function perInstanceAllowed(env: NodeJS.ProcessEnv): boolean {
  return env.FUNCTIONS_EMULATOR === 'true' || env.ALLOW_PER_INSTANCE_LIMITS === 'true';
}

/**
 * The shared Redis's URL; undefined where in-process stores are allowed (the emulator, or
 * ALLOW_PER_INSTANCE_LIMITS=true). Otherwise throws failed-precondition naming both variables.
 */
export function sharedRedisUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = redisTargetFromEnv(env);
  if (url) return url;
  if (!perInstanceAllowed(env)) {
    tellOnce(() => logger.error(`refusing calls: ${REFUSAL}`));
    throw new GatewayError('failed-precondition', REFUSAL);
  }
  if (env.FUNCTIONS_EMULATOR !== 'true') {
    tellOnce(() =>
      logger.warn(
        'ALLOW_PER_INSTANCE_LIMITS=true and no REDIS_URL: rate limits and token revocation hold per instance only',
      ),
    );
  }
  return undefined;
}

/** Whether a revocation written here reaches every instance: only through a shared Redis. */
export function hasSharedStore(env: NodeJS.ProcessEnv = process.env): boolean {
  return redisTargetFromEnv(env) !== undefined;
}
