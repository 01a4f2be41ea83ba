// What every provider adapter does with failures, whatever its SDK: make the upstream's words
// safe to show, build the ProviderError for an upstream answer or for a failure with none, and
// turn a failure after the first event into the stream's closing `error` event.
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

export interface UpstreamFailure {
  /** The HTTP status; undefined for an error event inside a 200 stream. */
  status: number | undefined;
  code: string | undefined;
  /** Already redacted. */
  message: string;
  /** For an in-stream error: the status the provider documents for its type. */
  streamStatus: number | undefined;
  retryAfter: string | null | undefined;
  cause: unknown;
}

/** The ProviderError for an upstream that answered with an error. */
export function upstreamError(provider: string, failure: UpstreamFailure): ProviderError {
  const { status, code, message, cause } = failure;
  if (status === undefined) {
    return new ProviderError(provider, `${provider} sent an error in its stream: ${message}`, {
      status: failure.streamStatus,
      code: code ?? 'stream_error',
      cause,
    });
  }
  return new ProviderError(provider, `${provider} answered ${status}: ${message}`, {
    status,
    code,
    retryAfterMs: parseRetryAfter(failure.retryAfter),
    cause,
  });
}

/** The ProviderError for a failure with no upstream answer: a broken stream or connection. */
export function failureWithoutAnswer(provider: string, error: unknown): ProviderError {
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
export function isTransportFailure(error: unknown): boolean {
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
