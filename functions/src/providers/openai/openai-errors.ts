// Turns whatever the openai SDK (or fetch beneath it) throws into a ProviderError whose message is
// safe to show: it names the provider, quotes the upstream's own words and never holds a key.
// The SDK-free helpers (redact, isTransportFailure, toErrorEvent) serve the Anthropic adapter too.
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { StreamEvent } from '@colonycraft/protocol';
import { parseRetryAfter, ProviderError } from '../provider.js';

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

function upstreamMessage(error: APIError): string {
  const body: unknown = error.error;
  if (typeof body === 'object' && body !== null && 'message' in body) {
    const { message } = body;
    if (typeof message === 'string' && message) return message;
    if (message !== undefined) return JSON.stringify(message);
  }
  // The SDK's own message starts with the status, which our message already names.
  return error.message.replace(/^\d{3}\s+/, '');
}

/**
 * An error inside a 200 stream has no status of its own; give it the status OpenAI uses for the
 * same error type so that `isRetryable` judges it the same way as the HTTP error.
 */
function statusForStreamError(error: APIError): number | undefined {
  const kinds = [error.type, error.code];
  if (kinds.includes('server_error')) return 500;
  if (kinds.includes('rate_limit_exceeded')) return 429;
  return undefined;
}

export function mapOpenAIError(provider: string, error: unknown, apiKey?: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof APIConnectionTimeoutError) {
    return new ProviderError(provider, `${provider} did not answer in time`, {
      code: 'timeout',
      cause: error,
    });
  }
  if (error instanceof APIConnectionError) {
    return new ProviderError(provider, `${provider} could not be reached`, {
      code: 'network',
      cause: error,
    });
  }
  if (error instanceof APIError) {
    const message = redact(upstreamMessage(error), apiKey);
    const code = error.code ?? error.type ?? undefined;
    if (error.status === undefined) {
      return new ProviderError(provider, `${provider} sent an error in its stream: ${message}`, {
        status: statusForStreamError(error),
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
  }
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
