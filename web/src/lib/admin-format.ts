// Pure helpers for the admin console's forms, tables and chart: parsing what people type
// (scopes, grace periods, dates) and formatting what the admin API answers (times, costs, bars).
import type { DayUsage, Role } from '@colonycraft/protocol';

/** Who may see the console at all. */
export function canOpenConsole(role: Role | undefined): boolean {
  return role === 'admin' || role === 'auditor';
}

/** `*` alone, or a comma- (or space-) separated list of model ids, without repeats. */
export function parseScopes(text: string): string[] {
  const scopes = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return [...new Set(scopes)];
}

export type GraceUnit = 'seconds' | 'minutes';

/** A grace period in whole seconds; NaN for a negative or non-numeric amount. */
export function graceSeconds(amount: string | number | null | undefined, unit: GraceUnit): number {
  if (amount === null || amount === undefined || String(amount).trim() === '') return NaN;
  const value = Number(amount);
  if (!Number.isFinite(value) || value < 0) return NaN;
  return Math.round(unit === 'minutes' ? value * 60 : value);
}

/**
 * The end of a date input (`YYYY-MM-DD`, local time) as ms, for an expiry that lasts the whole
 * day; undefined for an empty input.
 */
export function endOfDay(date: string): number | undefined {
  if (!date) return undefined;
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return undefined;
  return new Date(y, m - 1, d + 1).getTime() - 1;
}

/** The start of a date input (local time) as ISO 8601, for the audit filters. */
export function startOfDayIso(date: string, addDays = 0): string | undefined {
  if (!date) return undefined;
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return undefined;
  return new Date(y, m - 1, d + addDays).toISOString();
}

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatCost(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatTokens(count: number): string {
  return count.toLocaleString('en-US');
}

export interface Bar {
  day: string;
  /** 0..1 of the tallest day. */
  height: number;
  tokens: number;
  costUsd: number;
}

/** One bar per day with usage, scaled to the day with the most tokens. */
export function usageBars(days: DayUsage[]): Bar[] {
  const tokens = days.map((d) => d.inputTokens + d.outputTokens);
  const max = Math.max(0, ...tokens);
  return days.map((d, i) => ({
    day: d.day,
    height: max === 0 ? 0 : tokens[i]! / max,
    tokens: tokens[i]!,
    costUsd: d.costUsd,
  }));
}
