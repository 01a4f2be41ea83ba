// What every provider adapter does with failures, whatever its SDK: make the upstream's words
// safe to show, map the SDK's errors (its classes and its provider's specifics given) to a
// ProviderError, and turn a failure after the first event into the stream's closing `error` event.
import type { StreamEvent } from '@colonycraft/protocol';
import { parseRetryAfter, ProviderError } from './provider.js';

/** Upstream messages are shown to users; an HTML error page from a proxy must not be. */
const MAX_UPSTREAM_MESSAGE = 300;

/**
 * Removes secrets an upstream might echo back: the key itself (some servers quote the header
 * they rejected) and any bearer token.
 */
export function redact(text: string, secret: string | undefined): string {
  let safe = secret && secret.length >= 4 ? text.split(secret).join('[redacted]') : text;
  // The token68 alphabet of RFC 7235, so that the punctuation around a quoted header survives.
  safe = safe.replace(/Bearer\s+[\w.~+/=-]+/gi, 'Bearer [redacted]');
  return safe.length > MAX_UPSTREAM_MESSAGE ? `${safe.slice(0, MAX_UPSTREAM_MESSAGE)}…` : safe;
}

/** The base of an SDK's API errors: what every SDK's error carries of the upstream's answer. */
interface SdkApiError extends Error {
  /** undefined for an error event inside a 200 stream. */
  readonly status: number | undefined;
  readonly headers: Headers | undefined;
}

type ErrorClass<E> = abstract new (...args: never[]) => E;

/** An SDK's error classes, and what only its provider knows of an upstream's error. */
export interface SdkErrors<E extends SdkApiError> {
  APIError: ErrorClass<E>;
  APIConnectionError: ErrorClass<Error>;
  /** Checked before APIConnectionError, which it extends. */
  APIConnectionTimeoutError: ErrorClass<Error>;
  /** The upstream's own error code or type. */
  code(error: E): string | undefined;
  /** The upstream's own words, when its body held them; else the SDK's message is used. */
  message(error: E): string | undefined;
  /**
   * For an error event inside a 200 stream, which has no status of its own: the status the
   * provider uses for the same error type, so that `isRetryable` judges it as the HTTP error.
   */
  streamStatus(error: E): number | undefined;
}

/**
 * The mapper from whatever an SDK (or fetch beneath it) throws to a ProviderError whose message
 * is safe to show: it names the provider, quotes the upstream's own words and never holds a key.
 */
export function sdkErrorMapper<E extends SdkApiError>(sdk: SdkErrors<E>) {
  return function mapError(provider: string, error: unknown, apiKey?: string): ProviderError {
    if (error instanceof ProviderError) return error;
    if (error instanceof sdk.APIConnectionTimeoutError) {
      return new ProviderError(provider, `${provider} did not answer in time`, {
        code: 'timeout',
        cause: error,
      });
    }
    if (error instanceof sdk.APIConnectionError) {
      return new ProviderError(provider, `${provider} could not be reached`, {
        code: 'network',
        cause: error,
      });
    }
    if (!(error instanceof sdk.APIError)) return failureWithoutAnswer(provider, error);
    // The SDK's own message starts with the status, which our message already names.
    const words = sdk.message(error) ?? error.message.replace(/^\d{3}\s+/, '');
    const message = redact(words, apiKey);
    const code = sdk.code(error);
    if (error.status === undefined) {
      return new ProviderError(provider, `${provider} sent an error in its stream: ${message}`, {
        status: sdk.streamStatus(error),
        code: code ?? 'stream_error',
        cause: error,
      });
    }
    return new ProviderError(provider, `${provider} answered ${error.status}: ${message}`, {
      status: error.status,
      code,
      retryAfterMs: parseRetryAfter(error.headers?.get('retry-after')),
      cause: error,
    });
  };
}

/** The ProviderError for a failure with no upstream answer: a broken stream or connection. */
function failureWithoutAnswer(provider: string, error: unknown): ProviderError {
  if (error instanceof SyntaxError) {
    return new ProviderError(provider, `${provider} sent a malformed stream`, {
      code: 'malformed_response',
      cause: error,
    });
  }
  if (isTransportFailure(error)) {
    return new ProviderError(provider, `${provider} connection failed`, {
      code: 'network',
      cause: error,
    });
  }
  return new ProviderError(provider, `${provider} failed unexpectedly`, {
    code: 'unknown',
    cause: error,
  });
}

/**
 * Failures of fetch while it reads a body, which the SDKs pass on unwrapped: undici's
 * "terminated" TypeError, or a socket error code such as ECONNRESET or UND_ERR_SOCKET.
 */
function isTransportFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TypeError' && /terminated|fetch failed/i.test(error.message)) return true;
  const codeOf = (value: unknown): unknown =>
    typeof value === 'object' && value !== null && 'code' in value ? value.code : undefined;
  const code = codeOf(error) ?? codeOf(error.cause);
  return typeof code === 'string' && /^(UND_ERR_|E[A-Z]+$)/.test(code);
}

/** The `error` event a stream ends with once events have reached the client. */
export function toErrorEvent(error: ProviderError): Extract<StreamEvent, { type: 'error' }> {
  return {
    type: 'error',
    code: error.code ?? 'upstream_error',
    message: error.message,
    retryable: error.isRetryable,
  };
}
