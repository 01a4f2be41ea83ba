// What every answer of the API for programs shares: security headers that fit an API (nothing
// is cached, nothing framed), CORS for the configured origins only, a limit on the body's size,
// and the signal of a client that leaves before its answer has ended.
import type { NextFunction, Request, Response } from 'express';
import { OVERHEAD_HEADER } from '../call/call-clock.js';

export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
  next();
}

export function cors(origins: readonly string[]) {
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
        res.setHeader(
          'Access-Control-Allow-Headers',
          'authorization, content-type, x-api-key, anthropic-version, anthropic-beta',
        );
        res.setHeader('Access-Control-Max-Age', '600');
      }
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}

/** Aborted when the client leaves before the answer has ended (never by the answer's own end). */
export function clientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  return gone.signal;
}

/**
 * Refuses a body larger than `maxBytes` with 413 before any work on it: by its Content-Length
 * before it is read, or by the bytes the platform read (Cloud Functions parses the body before
 * the app sees it). A body sent without a length is cut off at the limit by the JSON parser.
 */
export function bodyLimit(maxBytes: number) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const rawBody = (req as { rawBody?: Buffer }).rawBody;
    const bytes = rawBody ? rawBody.length : Number(req.get('content-length') ?? 0);
    if (bytes > maxBytes) {
      const message = `${bytes} bytes is more than the ${maxBytes} a request may have`;
      next(Object.assign(new Error(message), { status: 413 }));
      return;
    }
    next();
  };
}

/** The gateway's own time in the call so far, as the answer's header. */
export const overheadHeader = (call: { overheadMs(): number }): Record<string, string> => ({
  [OVERHEAD_HEADER]: call.overheadMs().toFixed(2),
});
