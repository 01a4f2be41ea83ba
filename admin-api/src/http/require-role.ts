// Role guard for routes: `requireRole('admin', 'auditor')` lets those roles through and answers
// 403 to everyone else. The role is the one `authenticate` read from Postgres for this request.
import type { RequestHandler } from 'express';
import type { Role } from '@colonycraft/protocol';
import { ApiError } from '../errors.js';
import { callerOf } from './authenticate.js';

export function requireRole(...allowed: Role[]): RequestHandler {
  const roles = new Set(allowed);
  return (_req, res, next) => {
    const caller = callerOf(res.locals);
    if (!roles.has(caller.role)) {
      throw new ApiError('forbidden', `This needs the role ${allowed.join(' or ')}.`);
    }
    next();
  };
}
