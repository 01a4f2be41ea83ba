// Builds the context a use case gets from the request that calls it: who (the caller
// `authenticate` found), from where, under which request id. Routes build it; use cases read it
// and pass it to the audit log.
import type { Request, Response } from 'express';
import type { CallContext } from '../domain/call-context.js';
import { callerOf } from './authenticate.js';

export function contextOf(req: Request, res: Response): CallContext {
  return {
    caller: callerOf(res.locals),
    // TRUST_PROXY_HOPS: the address the outermost trusted proxy saw (Cloud Run's front end: the
    // client), never an X-Forwarded-For entry the caller wrote.
    ip: req.ip ?? null,
    requestId: req.id === undefined ? null : String(req.id),
  };
}
