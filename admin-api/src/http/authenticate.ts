// Every route but the public ones (probes, metrics, the API's description) takes a Firebase ID
// token as Bearer. The token says who the caller is; their role and tier come from Postgres,
// the system of record, on every request.
import type { RequestHandler } from 'express';
import type { Auth } from 'firebase-admin/auth';
import { effectiveTier } from '@colonycraft/protocol';
import type { Queryable } from '../data/db.js';
import { findRole } from '../data/user-roles.js';
import type { Caller } from '../domain/call-context.js';
import { ApiError } from '../errors.js';

declare module 'express-serve-static-core' {
  interface Locals {
    caller?: Caller;
  }
}

export function authenticate(auth: Auth, db: Queryable): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    if (!match)
      throw new ApiError(
        'unauthenticated',
        'Send a Firebase ID token as "Authorization: Bearer <token>".',
      );
    let decoded;
    try {
      decoded = await auth.verifyIdToken(match[1]!, true);
    } catch {
      throw new ApiError('unauthenticated', 'The ID token is invalid, expired or revoked.');
    }
    const row = await findRole(db, decoded.uid);
    const role = row?.role ?? 'member';
    res.locals.caller = {
      uid: decoded.uid,
      email: decoded.email ?? null,
      role,
      tier: effectiveTier(role, row?.tier ?? null),
    };
    next();
  };
}

export function callerOf(locals: { caller?: Caller }): Caller {
  if (!locals.caller) throw new ApiError('unauthenticated', 'Not signed in.');
  return locals.caller;
}
