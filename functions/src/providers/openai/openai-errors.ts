// Turns whatever the openai SDK (or fetch beneath it) throws into a ProviderError whose message is
// safe to show: it names the provider, quotes the upstream's own words and never holds a key.
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { ProviderError } from '../provider.js';
import { failureWithoutAnswer, redact, upstreamError } from '../provider-errors.js';

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
    return upstreamError(provider, {
      status: error.status,
      code: error.code ?? error.type ?? undefined,
      message: redact(upstreamMessage(error), apiKey),
      streamStatus: statusForStreamError(error),
      retryAfter: error.headers?.get('retry-after'),
      cause: error,
    });
  }
  return failureWithoutAnswer(provider, error);
}
