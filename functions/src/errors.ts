// Domain errors: a small tagged union that the whole gateway throws, and one place that maps
// it to what a callable client sees. Unknown errors never leak their message.
import { HttpsError, type FunctionsErrorCode } from 'firebase-functions/v2/https';
import { logger } from 'firebase-functions/logger';

export type GatewayErrorKind =
  | 'invalid-argument'
  | 'unauthenticated'
  | 'permission-denied'
  | 'not-found'
  | 'resource-exhausted'
  | 'unavailable'
  /** The instance is not set up to serve the call (a required setting is missing). */
  | 'failed-precondition'
  | 'cancelled';

export class GatewayError extends Error {
  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GatewayError';
  }
}

function codeFor(kind: GatewayErrorKind): FunctionsErrorCode {
  switch (kind) {
    case 'invalid-argument':
    case 'unauthenticated':
    case 'permission-denied':
    case 'not-found':
    case 'resource-exhausted':
    case 'unavailable':
    case 'failed-precondition':
    case 'cancelled':
      return kind;
  }
}

/** Maps anything thrown inside a callable to an HttpsError a client can act on. */
export function toHttpsError(error: unknown): HttpsError {
  if (error instanceof HttpsError) return error;
  if (error instanceof GatewayError) {
    return new HttpsError(codeFor(error.kind), error.message, error.details);
  }
  logger.error('unexpected error', { error: error instanceof Error ? error.stack : String(error) });
  return new HttpsError('internal', 'Something went wrong on our side.');
}
