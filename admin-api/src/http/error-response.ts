// One shape for every error response, built in one place: `{ error: { code, message } }`
// plus the request id, so a caller can quote it. The errors themselves live in `../errors.ts`;
// this is where their codes become statuses.
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ApiError, type ApiErrorCode } from '../errors.js';

export const STATUS: Record<ApiErrorCode, number> = {
  invalid_request: 400,
  too_large: 413,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
};

export function sendError(res: Response, code: ApiErrorCode | 'internal', message: string): void {
  res.status(code === 'internal' ? 500 : STATUS[code]).json({
    error: { code, message, requestId: res.getHeader('x-request-id') },
  });
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof ApiError) {
      // A dependency that failed (Firestore, Firebase Auth) is worth a line; a caller's mistake
      // is not.
      if (error.code === 'unavailable') logger.warn({ err: error.cause ?? error }, error.message);
      return sendError(res, error.code, error.message);
    }
    const { status, type, limit } = error as { status?: unknown; type?: unknown; limit?: unknown };
    if (type === 'entity.too.large') {
      // body-parser's refusal of a body over BODY_LIMIT, before any of it was parsed
      const most = typeof limit === 'number' ? ` of ${limit} bytes` : '';
      return sendError(res, 'too_large', `The body is larger than the limit${most}.`);
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // body-parser's other errors: malformed JSON, an unsupported charset
      return sendError(res, 'invalid_request', (error as Error).message);
    }
    logger.error({ err: error }, 'unexpected error');
    sendError(res, 'internal', 'Something went wrong on our side.');
  };
}
