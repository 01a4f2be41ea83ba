// Turns whatever the Anthropic SDK (or fetch beneath it) throws into a ProviderError whose message
// is safe to show: it names the provider, quotes the upstream's own words and never holds a key.
import { APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import { ProviderError } from '../provider.js';
import { failureWithoutAnswer, redact, upstreamError } from '../provider-errors.js';

/**
 * The HTTP status Anthropic documents for each error type. An `error` event inside a 200 stream
 * has only its type; with the matching status, `isRetryable` judges it as it would the HTTP
 * error (an `overloaded_error` mid-stream is as worth retrying as a 529).
 */
const STATUS_OF_TYPE: Partial<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

function upstreamMessage(error: APIError): string {
  // The SDK's own message starts with the status, which our message already names.
  return error.apiMessage ?? error.message.replace(/^\d{3}\s+/, '');
}

export function mapAnthropicError(
  provider: string,
  error: unknown,
  apiKey?: string,
): ProviderError {
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
    const type = error.type ?? undefined;
    return upstreamError(provider, {
      status: error.status,
      code: type,
      message: redact(upstreamMessage(error), apiKey),
      streamStatus: type === undefined ? undefined : STATUS_OF_TYPE[type],
      retryAfter: error.headers?.get('retry-after'),
      cause: error,
    });
  }
  return failureWithoutAnswer(provider, error);
}
