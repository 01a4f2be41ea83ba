// `GET /users` (admins, auditors); `PUT /users/:uid/role`, `/tier` and `/disabled` (admins).
import { z } from 'zod';
import {
  SetDisabledRequest,
  SetRoleRequest,
  SetTierRequest,
  UserList,
  UserListQuery,
  UserAccess,
  UserSummary,
} from '@colonycraft/protocol';
import { setDisabled, type AccessDeps } from '../domain/user-access.js';
import { setTier } from '../domain/user-tiers.js';
import { listUsers, setRole, type UserDeps } from '../domain/users.js';
import { contextOf } from '../http/request-context.js';
import { defineRoute, type Route } from '../http/route.js';

const UidParams = z.object({ uid: z.string().min(1).max(128) });

export function userRoutes(deps: UserDeps & AccessDeps): Route[] {
  return [
    defineRoute({
      id: 'listUsers',
      method: 'get',
      path: '/users',
      tag: 'users',
      summary: 'Firebase Auth users with their role and tier (no role row: member).',
      access: ['admin', 'auditor'],
      query: UserListQuery,
      response: { status: 200, schema: UserList, description: 'A page of users.' },
      errors: ['unavailable'],
      handle: ({ query }) => listUsers(deps, query),
    }),
    defineRoute({
      id: 'setUserRole',
      method: 'put',
      path: '/users/:uid/role',
      tag: 'users',
      summary: "Sets a user's role, mirrored into the custom claim `role`; ends their sessions.",
      description: 'Audited as `user.role.set`. 409 when it would leave no enabled admin.',
      access: ['admin'],
      params: UidParams,
      body: SetRoleRequest,
      response: { status: 200, schema: UserSummary, description: 'The user with the new role.' },
      errors: ['not_found', 'conflict', 'unavailable'],
      handle: ({ params, body }, req, res) =>
        setRole(deps, contextOf(req, res), params.uid, body.role),
    }),
    defineRoute({
      id: 'setUserTier',
      method: 'put',
      path: '/users/:uid/tier',
      tag: 'users',
      summary: "Assigns a user's rate-limit tier, mirrored into the custom claim `tier`.",
      description:
        "The user's refresh tokens are revoked so their next session carries the tier. `null` " +
        'removes the assignment: the tier follows the role again (admins `unlimited`, others ' +
        '`standard`). Audited as `user.tier.set`.',
      access: ['admin'],
      params: UidParams,
      body: SetTierRequest,
      response: { status: 200, schema: UserSummary, description: 'The user with the new tier.' },
      errors: ['not_found', 'unavailable'],
      handle: ({ params, body }, req, res) =>
        setTier(deps, contextOf(req, res), params.uid, body.tier),
    }),
    defineRoute({
      id: 'setUserDisabled',
      method: 'put',
      path: '/users/:uid/disabled',
      tag: 'users',
      summary:
        'Disables (or re-enables) an account, ending its sessions and client tokens at once.',
      description:
        'Disabling refuses new sign-ins, revokes refresh tokens and puts the user on the token ' +
        'denylist the functions check on every call; re-enabling takes them off it. Audited as ' +
        '`user.disabled.set`. 409 for your own account and for the last enabled admin.',
      access: ['admin'],
      params: UidParams,
      body: SetDisabledRequest,
      response: { status: 200, schema: UserAccess, description: 'The account as it now is.' },
      errors: ['not_found', 'conflict', 'unavailable'],
      handle: ({ params, body }, req, res) =>
        setDisabled(deps, contextOf(req, res), params.uid, body.disabled),
    }),
  ];
}
