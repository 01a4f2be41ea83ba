// What every mutation records about the request that made it: who, from where, under which
// request id. Routes build it; use cases pass it to the audit log.
import type { Request, Response } from 'express';
import { callerOf, type Caller } from './authenticate.js';

export interface RequestContext {
  caller: Caller;
  ip: string | null;
  requestId: string | null;
}

export function contextOf(req: Request, res: Response): RequestContext {
  return {
    caller: callerOf(res.locals),
    // TRUST_PROXY_HOPS: the address the outermost trusted proxy saw (Cloud Run's front end: the
    // client), never an X-Forwarded-For entry the caller wrote.
    ip: req.ip ?? null,
    requestId: req.id === undefined ? null : String(req.id),
  };
}
