// `GET /audit` (filtered, newest first, cursor-paged) and `GET /audit/verify` (walks the hash
// chain): admins and auditors only.
import type pg from 'pg';
import { AuditPage, AuditQuery, AuditVerification } from '@colonycraft/protocol';
import { listAudit, verifyAudit } from '../domain/audit.js';
import { defineRoute, type Route } from '../http/route.js';

export function auditRoutes(pool: pg.Pool): Route[] {
  return [
    defineRoute({
      id: 'listAudit',
      method: 'get',
      path: '/audit',
      tag: 'audit',
      summary: 'Audit entries, newest first; `from` inclusive, `to` exclusive.',
      access: ['admin', 'auditor'],
      query: AuditQuery,
      response: { status: 200, schema: AuditPage, description: 'A page of entries.' },
      handle: ({ query }) => listAudit(pool, query),
    }),
    defineRoute({
      id: 'verifyAudit',
      method: 'get',
      path: '/audit/verify',
      tag: 'audit',
      summary: 'Walks the hash chain and names the first entry that does not hold.',
      access: ['admin', 'auditor'],
      response: { status: 200, schema: AuditVerification, description: 'The verdict.' },
      handle: () => verifyAudit(pool),
    }),
  ];
}
