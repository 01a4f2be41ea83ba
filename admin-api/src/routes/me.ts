// `GET /me`: who the caller is, with the role and tier the admin API reads for them.
import { Me } from '@colonycraft/protocol';
import { callerOf } from '../http/authenticate.js';
import { defineRoute, type Route } from '../http/route.js';

export function meRoutes(): Route[] {
  return [
    defineRoute({
      id: 'getMe',
      method: 'get',
      path: '/me',
      tag: 'users',
      summary: 'The caller: uid, email, role and tier.',
      access: 'signed-in',
      response: { status: 200, schema: Me, description: 'The caller.' },
      handle: (_input, _req, res) => callerOf(res.locals),
    }),
  ];
}
