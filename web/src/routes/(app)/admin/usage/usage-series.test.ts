import { describe, expect, it } from 'vitest';
import type { PrincipalUsage, UserSummary } from '@colonycraft/protocol';
import { DAY_MS, chartPoints, dailyTotals, principalRows, startOfDay } from './usage-series.ts';

const day = (d: string, calls: number, costUsd: number) => ({
  day: d,
  calls,
  inputTokens: calls * 10,
  outputTokens: calls * 5,
  costUsd,
  models: [],
});
const totals = (calls: number, costUsd: number) => ({
  calls,
  inputTokens: calls * 10,
  outputTokens: calls * 5,
  costUsd,
});
const ada: PrincipalUsage = {
  principal: 'u1',
  principalType: 'user',
  key: null,
  totals: totals(3, 0.3),
  days: [day('2026-01-02', 2, 0.2), day('2026-01-01', 1, 0.1)],
};
const key: PrincipalUsage = {
  principal: 'k1',
  principalType: 'apiKey',
  key: { name: 'CI', prefix: 'cc_12345678' },
  totals: totals(1, 0.5),
  days: [day('2026-01-02', 1, 0.5)],
};
const idle: PrincipalUsage = { ...ada, principal: 'u2', totals: totals(0, 0), days: [] };
const users = new Map([['u1', { uid: 'u1', email: 'ada@example.com' } as UserSummary]]);

describe('usage series', () => {
  it('sums each day over the principals, oldest first', () => {
    expect(dailyTotals({ principals: [ada, key] })).toEqual([
      { day: '2026-01-01', ...totals(1, 0.1) },
      { day: '2026-01-02', ...totals(3, 0.7) },
    ]);
  });

  it('places each day at the middle of its UTC day, tokens as the value', () => {
    const [point] = chartPoints(dailyTotals({ principals: [key] }));
    expect(point).toEqual({ x: startOfDay('2026-01-02') + DAY_MS / 2, y: 15, costUsd: 0.5 });
    expect(new Date(point!.x).toISOString()).toBe('2026-01-02T12:00:00.000Z');
  });

  it('names users by email and keys by name, most expensive first, without idle ones', () => {
    expect(principalRows({ principals: [ada, idle, key] }, users).map((r) => r.label)).toEqual([
      'key “CI”',
      'ada@example.com',
    ]);
  });
});
