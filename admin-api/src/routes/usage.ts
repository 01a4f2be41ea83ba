// `GET /usage`: daily usage per principal and model, from the functions' aggregates.
import { UsageQuery, UsageReport } from '@colonycraft/protocol';
import { usageReport, type UsageDeps } from '../domain/usage.js';
import { callerOf } from '../http/authenticate.js';
import { defineRoute, type Route } from '../http/route.js';

export function usageRoutes(deps: UsageDeps): Route[] {
  return [
    defineRoute({
      id: 'getUsage',
      method: 'get',
      path: '/usage',
      tag: 'usage',
      summary:
        "A user's usage per day and model; with `includeKeys=true` also their keys'; with " +
        '`all=true` every user and key.',
      description:
        'Days are UTC, `from` and `to` both included, at most 92 of them; the default is the ' +
        'last 30 days. Members read only their own usage (another `uid` is 403); admins and ' +
        "auditors anyone's, and with `all=true` everyone's at once (members: 403).",
      access: 'signed-in',
      query: UsageQuery,
      response: { status: 200, schema: UsageReport, description: 'The report.' },
      errors: ['forbidden', 'unavailable'],
      handle: ({ query }, _req, res) => usageReport(deps, callerOf(res.locals), query),
    }),
  ];
}
