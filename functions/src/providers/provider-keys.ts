// Provider keys, read through the secret store at run time rather than bound at deploy, so that
// a key an admin rotates is used without a redeploy. The catalog (rebuilt at most once a
// minute) is what caches them. Where no store is configured (`SECRET_STORE=env`, tests hosting
// the functions directly), the key is the environment variable of the same name.
import { logger } from 'firebase-functions/logger';
import { secretStoreFromEnv, type SecretStore } from '@colonycraft/secrets';
import { withDeadline } from '../deadline.js';

let store: SecretStore | undefined | null = null;
/** The last value read per secret, kept for when the store cannot be reached. */
const lastGood = new Map<string, string>();

function secretStore(env: NodeJS.ProcessEnv): SecretStore | undefined {
  if (store === null) store = secretStoreFromEnv(env);
  return store;
}

/** Secret Manager's client retries an unreachable service for minutes; a call waits this long. */
const READ_DEADLINE_MS = 5_000;

/**
 * The key held by `secretName`, or undefined when none is set. A store that fails keeps the
 * last key read (logged, without it); with none read yet the provider counts as unconfigured.
 */
export async function readProviderKey(
  secretName: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const source = secretStore(env);
  if (!source) return env[secretName] || undefined;
  try {
    const value =
      (await withDeadline(
        source.access(secretName),
        READ_DEADLINE_MS,
        `${source.kind} secret store`,
      )) ??
      (env[secretName] || undefined);
    if (value === undefined) lastGood.delete(secretName);
    else lastGood.set(secretName, value);
    return value;
  } catch (error) {
    logger.error('provider key could not be read', {
      secret: secretName,
      store: source.kind,
      error: error instanceof Error ? error.message : String(error),
      usingLastKnown: lastGood.has(secretName),
    });
    return lastGood.get(secretName) ?? (env[secretName] || undefined);
  }
}

/** Forgets the store and the keys read; for tests that change the environment. */
export function resetProviderKeys(): void {
  store = null;
  lastGood.clear();
}
