// Calls into the secret store from the provider-key use cases: a failure becomes an ApiError
// that names the store and the secret, never a value; a key the admin sent is scrubbed from any
// message as a last resort.
import { SecretStoreError, type SecretStore } from '@colonycraft/secrets';
import { ApiError } from '../errors.js';

export function storeName(store: SecretStore): string {
  return store.kind === 'google' ? 'Google Secret Manager' : 'The local secret store';
}

function scrub(message: string, secret: string | undefined): string {
  return secret ? message.split(secret).join('[redacted]') : message;
}

/**
 * The answer for a store that failed: 409 `conflict` for a precondition the operator has to fix
 * (a read-only local store without LOCAL_SECRETS_FILE, no LOCAL_SECRETS_KEY), else 503
 * `unavailable`. Only a SecretStoreError's message (which by contract holds no value) is quoted.
 */
export function storeFailure(
  store: SecretStore,
  doing: string,
  error: unknown,
  secret?: string,
): ApiError {
  if (error instanceof ApiError) return error;
  const name = storeName(store);
  if (error instanceof SecretStoreError) {
    const code = error.code === 'failed-precondition' ? 'conflict' : 'unavailable';
    // The cause is logged: if its message ever held the key, log a scrubbed copy instead.
    const leaks = secret !== undefined && error.message.includes(secret);
    const cause = leaks ? new SecretStoreError(error.code, scrub(error.message, secret)) : error;
    return new ApiError(code, scrub(`${name} could not ${doing}: ${error.message}`, secret), {
      cause,
    });
  }
  const errno = (error as { code?: unknown } | null)?.code;
  const detail = typeof errno === 'string' && /^[A-Z_]{2,40}$/.test(errno) ? ` (${errno})` : '';
  return new ApiError('unavailable', `${name} could not ${doing}${detail}.`, { cause: error });
}

/** Runs one store call, turning its failure into {@link storeFailure}. */
export async function storeCall<T>(
  store: SecretStore,
  doing: string,
  call: () => Promise<T>,
  secret?: string,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw storeFailure(store, doing, error, secret);
  }
}
