// The error every tier throws when a request cannot be done as asked: a code and a message
// meant for the caller. It knows nothing of HTTP, so use cases, repositories and helpers can
// throw it without importing the HTTP layer; `http/error-response.ts` turns each code into its
// status and the one error shape.
export type ApiErrorCode =
  | 'invalid_request'
  | 'too_large'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unavailable';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}
