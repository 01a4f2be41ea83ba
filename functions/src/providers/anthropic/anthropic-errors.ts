// What only Anthropic's errors say, for the shared mapper in provider-errors.ts: its error type
// as the code, the upstream's words, and the status each type stands for inside a 200 stream.
import { APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import { sdkErrorMapper } from '../provider-errors.js';

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

export const mapAnthropicError = sdkErrorMapper<APIError>({
  APIError,
  APIConnectionError,
  APIConnectionTimeoutError,
  code: (error) => error.type ?? undefined,
  message: (error) => error.apiMessage ?? undefined,
  streamStatus: (error) => (error.type ? STATUS_OF_TYPE[error.type] : undefined),
});
