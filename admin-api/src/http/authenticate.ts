// Every request but the probes carries a Firebase ID token as Bearer. The token says who the
// caller is; their role comes from Postgres, the system of record, on every request.
import type { RequestHandler } from 'express';
import type { Auth } from 'firebase-admin/auth';
import type { Role } from '@colonycraft/protocol';
import type { Queryable } from '../data/db.js';
import { findRole } from '../data/user-roles.js';
import { ApiError } from './errors.js';

export interface Caller {
  uid: string;
  email: string | null;
  role: Role;
}

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
    res.locals.caller = {
      uid: decoded.uid,
      email: decoded.email ?? null,
      role: row?.role ?? 'member',
    };
    next();
  };
}

export function callerOf(locals: { caller?: Caller }): Caller {
  if (!locals.caller) throw new ApiError('unauthenticated', 'Not signed in.');
  return locals.caller;
}
