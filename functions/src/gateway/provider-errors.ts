// What a client is told when a provider failed before answering: the provider's own refusal
// passes through naming the provider; our key being refused or the provider being down is
// `unavailable`, with whether trying again may help.
import { GatewayError } from '../errors.js';
import { ProviderError } from '../providers/provider.js';

/** The longest a provider's `retry-after` is passed on to a caller. */
export const MAX_CLIENT_RETRY_AFTER_MS = 60_000;

export function fromProviderError(error: ProviderError): GatewayError {
  const details = {
    provider: error.provider,
    status: error.status ?? null,
    retryable: error.isRetryable,
    // How long the provider asked to be left alone, for a surface that passes it on.
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  };
  // Still rate limited after the gateway's own retries: the caller is told to back off, for
  // as long as the provider asked (within reason), as the limiter's own refusals tell it.
  if (error.status === 429) {
    const retryAfterMs =
      error.retryAfterMs === undefined
        ? undefined
        : Math.min(error.retryAfterMs, MAX_CLIENT_RETRY_AFTER_MS);
    const when = retryAfterMs === undefined ? 'shortly' : `in ${Math.ceil(retryAfterMs / 1000)} s`;
    return new GatewayError(
      'resource-exhausted',
      `${error.provider} is rate limiting calls; try again ${when} or pick another model.`,
      { ...details, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
    );
  }
  if (error.status === 401 || error.status === 403) {
    return new GatewayError(
      'unavailable',
      `${error.provider} is not available: it refused the configured key.`,
      {
        ...details,
        retryable: false,
      },
    );
  }
  if (
    !error.isRetryable &&
    error.status !== undefined &&
    error.status >= 400 &&
    error.status < 500
  ) {
    return new GatewayError('invalid-argument', error.message, details);
  }
  return new GatewayError(
    'unavailable',
    error.code === 'timeout'
      ? `${error.provider} did not answer in time; try again or pick another model.`
      : `${error.provider} is not available right now (${error.message}); try again or pick another model.`,
    details,
  );
}
