// What the Usage page draws and lists from a report: the days summed over its principals (a
// user, their keys, or everyone with `all=true`), as points on a real time axis, and a row per
// principal named for people.
import {
  NO_USAGE,
  addUsage,
  type DayUsage,
  type UsageReport,
  type UsageTotals,
  type UserSummary,
} from '@colonycraft/protocol';
import { nameOfUser } from '#lib/admin-names.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The start of a UTC day (`YYYY-MM-DD`) in ms. */
export const startOfDay = (day: string): number => Date.parse(`${day}T00:00:00Z`);

export type DayTotals = UsageTotals & { day: string };

/** Every day with usage in the report, summed over its principals, oldest first. */
export function dailyTotals(report: Pick<UsageReport, 'principals'>): DayTotals[] {
  const byDay = new Map<string, UsageTotals>();
  for (const principal of report.principals) {
    for (const { day, models: _models, ...totals } of principal.days as DayUsage[]) {
      byDay.set(day, addUsage(byDay.get(day) ?? NO_USAGE, totals));
    }
  }
  return [...byDay]
    .map(([day, totals]) => ({ day, ...totals }))
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

export interface ChartPoint {
  /** The middle of the UTC day, so a day's bar sits between its ticks. */
  x: number;
  /** Tokens, input and output. */
  y: number;
  costUsd: number;
}

export function chartPoints(days: DayTotals[]): ChartPoint[] {
  return days.map((d) => ({
    x: startOfDay(d.day) + DAY_MS / 2,
    y: d.inputTokens + d.outputTokens,
    costUsd: d.costUsd,
  }));
}

export interface PrincipalRow extends UsageTotals {
  principal: string;
  /** An email (or display name) for a user, `key “name”` for an API key. */
  label: string;
}

/** A row per principal with any usage, most expensive first, named for people. */
export function principalRows(
  report: Pick<UsageReport, 'principals'>,
  users: Map<string, UserSummary>,
): PrincipalRow[] {
  return report.principals
    .filter((p) => p.totals.calls > 0)
    .map((p) => ({
      principal: p.principal,
      label: p.key ? `key “${p.key.name}”` : nameOfUser(p.principal, users),
      ...p.totals,
    }))
    .sort((a, b) => b.costUsd - a.costUsd || b.calls - a.calls);
}
