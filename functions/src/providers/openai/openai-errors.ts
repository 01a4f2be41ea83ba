// What only OpenAI's errors say, for the shared mapper in provider-errors.ts: where the upstream's
// words are in its body, its code, and the status of an error type inside a 200 stream.
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { sdkErrorMapper } from '../provider-errors.js';

function upstreamMessage(error: APIError): string | undefined {
  const body: unknown = error.error;
  if (typeof body === 'object' && body !== null && 'message' in body) {
    const { message } = body;
    if (typeof message === 'string' && message) return message;
    if (message !== undefined) return JSON.stringify(message);
  }
  return undefined;
}

/** OpenAI's status for the same error type, as its API documents it. */
function statusForStreamError(error: APIError): number | undefined {
  const kinds = [error.type, error.code];
  if (kinds.includes('server_error')) return 500;
  if (kinds.includes('rate_limit_exceeded')) return 429;
  return undefined;
}

export const mapOpenAIError = sdkErrorMapper<APIError>({
  APIError,
  APIConnectionError,
  APIConnectionTimeoutError,
  code: (error) => error.code ?? error.type ?? undefined,
  message: upstreamMessage,
  streamStatus: statusForStreamError,
});
