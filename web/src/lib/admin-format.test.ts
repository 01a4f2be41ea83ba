import { describe, expect, it } from 'vitest';
import {
  canOpenConsole,
  endOfDay,
  formatCost,
  graceSeconds,
  parseScopes,
  startOfDayIso,
  usageBars,
} from './admin-format.ts';

const day = (d: string, inputTokens: number, outputTokens: number, costUsd = 0) => ({
  day: d,
  calls: 1,
  inputTokens,
  outputTokens,
  costUsd,
  models: [],
});

describe('admin-format', () => {
  it('opens the console to admins and auditors only', () => {
    expect(canOpenConsole('admin')).toBe(true);
    expect(canOpenConsole('auditor')).toBe(true);
    expect(canOpenConsole('member')).toBe(false);
    expect(canOpenConsole(undefined)).toBe(false);
  });

  it('parses scopes from commas or spaces, without blanks or repeats', () => {
    expect(parseScopes(' * ')).toEqual(['*']);
    expect(parseScopes('local/echo, openai/gpt-4o,,local/echo openai/o3')).toEqual([
      'local/echo',
      'openai/gpt-4o',
      'openai/o3',
    ]);
    expect(parseScopes('  ')).toEqual([]);
  });

  it('turns a grace amount and unit into seconds', () => {
    expect(graceSeconds('90', 'seconds')).toBe(90);
    expect(graceSeconds('5', 'minutes')).toBe(300);
    expect(graceSeconds('0', 'minutes')).toBe(0);
    expect(graceSeconds('', 'seconds')).toBeNaN();
    expect(graceSeconds('-1', 'seconds')).toBeNaN();
    expect(graceSeconds('x', 'seconds')).toBeNaN();
    expect(graceSeconds(null, 'seconds')).toBeNaN();
    expect(graceSeconds(2, 'minutes')).toBe(120);
  });

  it('reads date inputs as local days', () => {
    expect(endOfDay('')).toBeUndefined();
    expect(endOfDay('2026-03-04')).toBe(new Date(2026, 2, 5).getTime() - 1);
    expect(startOfDayIso('2026-03-04')).toBe(new Date(2026, 2, 4).toISOString());
    expect(startOfDayIso('2026-03-04', 1)).toBe(new Date(2026, 2, 5).toISOString());
    expect(startOfDayIso('')).toBeUndefined();
  });

  it('formats costs', () => {
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(0.00123)).toBe('$0.0012');
    expect(formatCost(1.5)).toBe('$1.50');
  });

  it('scales bars to the day with the most tokens', () => {
    const bars = usageBars([day('2026-01-01', 10, 10, 0.1), day('2026-01-02', 30, 10)]);
    expect(bars.map((b) => b.height)).toEqual([0.5, 1]);
    expect(bars[0]).toMatchObject({ day: '2026-01-01', tokens: 20, costUsd: 0.1 });
    expect(usageBars([day('2026-01-01', 0, 0)])[0]?.height).toBe(0);
  });
});
