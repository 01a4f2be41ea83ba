// Usage reports: what a user (and, on request, each of their API keys) spent per day and per
// model, read from the daily aggregates the functions keep in Firestore. Members read their own
// usage only; asking for someone else's is 403, as listing someone else's keys is (a uid in a
// query is a filter, not a resource whose existence could leak). Admins and auditors read
// anyone's, also of users that no longer exist: their usage documents outlive them. With
// `all`, admins and auditors read every user's (in Firebase Auth) and every key's (in Postgres)
// usage at once: the console's totals. (The emulator has no ListDocuments nor collection-group
// queries, so the principals come from those two lists: a deleted user's usage is left out.)
import {
  MAX_USAGE_REPORT_DAYS,
  NO_USAGE,
  addUsage,
  roundUsd,
  type DayUsage,
  type ModelUsage,
  type PrincipalUsage,
  type UsageQuery,
  type UsageReport,
  type UsageTotals,
} from '@colonycraft/protocol';
import type { z } from 'zod';
import type { Auth } from 'firebase-admin/auth';
import { allKeys, keysUsableBetween } from '../data/api-keys.js';
import type { Queryable } from '../data/db.js';
import { MalformedUsage, type UsageLedger } from '../data/usage-ledger.js';
import { ApiError } from '../errors.js';
import type { Caller } from './call-context.js';

export interface UsageDeps {
  pool: Queryable;
  usage: UsageLedger;
  auth: Auth;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_DAYS = 30;
/** Principals read from Firestore at once: bounds the fan-out of a user with many keys. */
const PARALLEL_PRINCIPALS = 8;
/** The most principals an `all` report reads: bounds its cost (each is a batched read). */
export const MAX_ALL_PRINCIPALS = 2000;

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const startOf = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/** Every day from `from` to `to`, both included; defaults and limits as documented. */
export function daysOf(query: { from?: string; to?: string }, now: number): string[] {
  const to = query.to ?? dayOf(now);
  const from = query.from ?? dayOf(startOf(to) - (DEFAULT_DAYS - 1) * DAY_MS);
  if (from > to)
    throw new ApiError('invalid_request', 'Invalid query: from: must not lie after to');
  const count = (startOf(to) - startOf(from)) / DAY_MS + 1;
  if (count > MAX_USAGE_REPORT_DAYS) {
    throw new ApiError(
      'invalid_request',
      `Invalid query: from: a report spans at most ${MAX_USAGE_REPORT_DAYS} days`,
    );
  }
  return Array.from({ length: count }, (_, i) => dayOf(startOf(from) + i * DAY_MS));
}

const totalsOf = ({ calls, inputTokens, outputTokens, costUsd }: UsageTotals): UsageTotals => ({
  calls,
  inputTokens,
  outputTokens,
  costUsd: roundUsd(costUsd),
});

const roundModel = (m: ModelUsage): ModelUsage => ({ model: m.model, ...totalsOf(m) });

function modelTotals(days: DayUsage[]): ModelUsage[] {
  const byModel = new Map<string, UsageTotals>();
  for (const day of days) {
    for (const m of day.models) byModel.set(m.model, addUsage(byModel.get(m.model) ?? NO_USAGE, m));
  }
  return [...byModel]
    .map(([model, totals]) => ({ model, ...totals }))
    .sort((a, b) => b.costUsd - a.costUsd || (a.model < b.model ? -1 : 1));
}

type Principal = Omit<PrincipalUsage, 'totals' | 'days'>;

/** Every user, then every key with its name; refused past MAX_ALL_PRINCIPALS. */
async function everyPrincipal(deps: UsageDeps): Promise<Principal[]> {
  const principals: Principal[] = [];
  const tooMany = () =>
    new ApiError(
      'invalid_request',
      `Invalid query: all: more than ${MAX_ALL_PRINCIPALS} users and keys; ask per user instead`,
    );
  let pageToken: string | undefined;
  do {
    const page = await deps.auth.listUsers(1000, pageToken).catch((error: unknown) => {
      throw new ApiError('unavailable', 'Firebase Auth did not answer; try again.', {
        cause: error,
      });
    });
    for (const user of page.users) {
      principals.push({ principal: user.uid, principalType: 'user', key: null });
    }
    if (principals.length > MAX_ALL_PRINCIPALS) throw tooMany();
    pageToken = page.pageToken;
  } while (pageToken);
  for await (const key of allKeys(deps.pool)) {
    principals.push({
      principal: key.id,
      principalType: 'apiKey',
      key: { name: key.name, prefix: key.prefix },
    });
    if (principals.length > MAX_ALL_PRINCIPALS) throw tooMany();
  }
  return principals;
}

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>) {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  }
  return results;
}

export async function usageReport(
  deps: UsageDeps,
  caller: Caller,
  query: z.output<typeof UsageQuery>,
  now = Date.now(),
): Promise<UsageReport> {
  const uid = query.uid ?? caller.uid;
  if (caller.role === 'member' && (query.all || uid !== caller.uid)) {
    throw new ApiError('forbidden', 'Members may read only their own usage.');
  }
  const days = daysOf(query, now);
  const from = days[0]!;
  const to = days.at(-1)!;

  const principals: Omit<PrincipalUsage, 'totals' | 'days'>[] = query.all
    ? await everyPrincipal(deps)
    : [{ principal: uid, principalType: 'user', key: null }];
  if (query.includeKeys && !query.all) {
    // A day of margin each side: a call is booked on the day it started, and the functions may
    // accept a key for a little while after it ended (their record cache).
    const keys = await keysUsableBetween(
      deps.pool,
      uid,
      startOf(from) - DAY_MS,
      startOf(to) + 2 * DAY_MS,
    );
    for (const key of keys) {
      principals.push({
        principal: key.id,
        principalType: 'apiKey',
        key: { name: key.name, prefix: key.prefix },
      });
    }
  }

  const read = await inBatches(principals, PARALLEL_PRINCIPALS, async (p) => {
    let found: DayUsage[];
    try {
      found = await deps.usage.days(p.principal, days);
    } catch (error) {
      if (error instanceof MalformedUsage) throw error;
      throw new ApiError('unavailable', 'Firestore did not answer; try again.', { cause: error });
    }
    const perDay = found.map((d) => ({ ...d, ...totalsOf(d), models: d.models.map(roundModel) }));
    return { ...p, totals: perDay.reduce<UsageTotals>(addUsage, NO_USAGE), days: perDay };
  });

  return {
    uid: query.all ? null : uid,
    from,
    to,
    totals: read.reduce<UsageTotals>((sum, p) => addUsage(sum, p.totals), NO_USAGE),
    models: modelTotals(read.flatMap((p) => p.days)),
    principals: read,
  };
}
