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
    // `trust proxy` is on: behind Cloud Run's front end this is the client, not the proxy.
    ip: req.ip ?? null,
    requestId: req.id === undefined ? null : String(req.id),
  };
}
