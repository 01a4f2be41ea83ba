// `GET /users` (admins, auditors) and `PUT /users/:uid/role` (admins).
import { Router } from 'express';
import { z } from 'zod';
import { SetRoleRequest, UserListQuery } from '@colonycraft/protocol';
import { listUsers, setRole, type UserDeps } from '../domain/users.js';
import { contextOf } from '../http/request-context.js';
import { requireRole } from '../http/require-role.js';
import { parse } from '../http/validate.js';

const UidParams = z.object({ uid: z.string().min(1).max(128) });

export function userRoutes(deps: UserDeps): Router {
  const router = Router();
  router.get('/users', requireRole('admin', 'auditor'), async (req, res) => {
    res.json(await listUsers(deps, parse(UserListQuery, req.query, 'query')));
  });
  router.put('/users/:uid/role', requireRole('admin'), async (req, res) => {
    const { uid } = parse(UidParams, req.params, 'params');
    const { role } = parse(SetRoleRequest, req.body, 'body');
    res.json(await setRole(deps, contextOf(req, res), uid, role));
  });
  return router;
}
