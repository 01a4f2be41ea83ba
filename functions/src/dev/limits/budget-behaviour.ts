// The budget behaviour every limit store must show (run beside store-behaviour.ts): the
// reservation of estimated cost, its settlement, and UTC days and months, whose ends the Lua
// scripts and periods.ts must agree on.
import { expect, it } from 'vitest';
import type { LimitStore } from '../../limits/limiter.js';
import { dayEnd, monthEnd } from '../../limits/periods.js';
import { call, T0, testLimiter, user } from './store-behaviour.js';

export function budgetBehaviour(getStore: () => LimitStore): void {
  it('when the daily budget cannot cover the estimate, then the call is refused until the day ends', async () => {
    const limiter = testLimiter(getStore(), {
      requests: { capacity: 1_000, refillPerMinute: 60 },
      dailyBudgetMicroUsd: 10_000,
      monthlyBudgetMicroUsd: 25_000,
    });
    const p = [user()];
    const calls = Array.from({ length: 12 }, () => call(p, T0, { estimatedCostMicroUsd: 1_000 }));
    const results = await Promise.all(calls.map((c) => limiter.admit(c)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    const refused = results.find((r) => !r.ok);
    expect(refused && !refused.ok && refused.refusal).toEqual({
      limit: 'daily-budget',
      principal: p[0],
      retryAfterMs: dayEnd(T0) - T0,
      resetAt: dayEnd(T0),
      limitValue: 10_000,
      remaining: 0,
    });
    // A call that cost less than reserved gives the difference back.
    const done = results[0]!;
    if (!done.ok) throw new Error('refused');
    await limiter.settle({ ...done.lease, actualTokens: 0, actualCostMicroUsd: 500, now: T0 });
    expect((await limiter.admit(call(p, T0, { estimatedCostMicroUsd: 600 }))).ok).toBe(false);
    expect((await limiter.admit(call(p, T0, { estimatedCostMicroUsd: 500 }))).ok).toBe(true);

    // The next day starts afresh, but the month remembers: 10,000 spent of 25,000.
    const tomorrow = dayEnd(T0) + 1;
    const next = Array.from({ length: 12 }, () =>
      call(p, tomorrow, { estimatedCostMicroUsd: 1_000 }),
    );
    const after = await Promise.all(next.map((c) => limiter.admit(c)));
    expect(after.filter((r) => r.ok)).toHaveLength(10);
    const third = await limiter.admit(
      call(p, dayEnd(tomorrow) + 1, { estimatedCostMicroUsd: 5_001 }),
    );
    expect(!third.ok && third.refusal).toMatchObject({
      limit: 'monthly-budget',
      resetAt: monthEnd(T0),
      remaining: 5_000,
    });
  });

  it('when a call is settled after its day ended, then the new day is not charged for it', async () => {
    const limiter = testLimiter(getStore(), { dailyBudgetMicroUsd: 1_000 });
    const p = [user()];
    const late = dayEnd(T0) - 1;
    const a = await limiter.admit(call(p, late, { estimatedCostMicroUsd: 1_000 }));
    if (!a.ok) throw new Error('refused');
    await limiter.settle({
      ...a.lease,
      actualTokens: 0,
      actualCostMicroUsd: 5_000,
      now: late + 10,
    });
    expect((await limiter.admit(call(p, late + 20, { estimatedCostMicroUsd: 1_000 }))).ok).toBe(
      true,
    );
  });

  it.each([
    ['the end of January', Date.UTC(2025, 0, 31, 23, 59, 59, 999)],
    ['the end of a year', Date.UTC(2024, 11, 31, 12)],
    ['a leap day', Date.UTC(2024, 1, 29, 3)],
    ['the first instant of March', Date.UTC(2023, 2, 1)],
    ['the end of a century', Date.UTC(2099, 11, 31, 23)],
  ])(
    'when the month ends at %s, then the monthly budget resets at the next month',
    async (_, now) => {
      const limiter = testLimiter(getStore(), { monthlyBudgetMicroUsd: 0 });
      const refused = await limiter.admit(call([user()], now, { estimatedCostMicroUsd: 1 }));
      expect(!refused.ok && refused.refusal).toMatchObject({
        limit: 'monthly-budget',
        resetAt: monthEnd(now),
        retryAfterMs: monthEnd(now) - now,
      });
    },
  );

  it('when 50 calls race for a budget of 10 calls, then between 10 and 11 calls are spent', async () => {
    const estimate = 2_500;
    const limiter = testLimiter(getStore(), {
      requests: { capacity: 1_000, refillPerMinute: 60 },
      dailyBudgetMicroUsd: 10 * estimate,
    });
    const p = [user()];
    let spent = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const a = await limiter.admit(call(p, T0, { estimatedCostMicroUsd: estimate }));
        if (!a.ok) return;
        await limiter.settle({
          ...a.lease,
          actualTokens: 0,
          actualCostMicroUsd: estimate,
          now: T0,
        });
        spent += estimate;
      }),
    );
    expect(spent).toBeGreaterThanOrEqual(10 * estimate);
    expect(spent).toBeLessThanOrEqual(11 * estimate);
  });
}
