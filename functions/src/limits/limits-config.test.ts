// Tier configuration from the environment: defaults, field-by-field overrides and errors that
// name the variable to fix.
import { describe, expect, it } from 'vitest';
import { limitsConfigFromEnv, tiersFromJson } from './limits-config.js';

describe('limitsConfigFromEnv', () => {
  it('when nothing is set, then the defaults apply and failures close', () => {
    const config = limitsConfigFromEnv({});
    expect(config.failureMode).toBe('closed');
    expect(config.leaseTtlMs).toBe(30_000);
    expect(config.tiers.unlimited).toBeNull();
    expect(config.tiers.free).toEqual({
      requests: { capacity: 20, refillPerMinute: 20 },
      tokens: { capacity: 20_000, refillPerMinute: 20_000 },
      concurrency: 2,
      dailyBudgetMicroUsd: 1_000_000,
      monthlyBudgetMicroUsd: 10_000_000,
    });
    expect(config.tiers.standard?.monthlyBudgetMicroUsd).toBe(100_000_000);
  });

  it('when RATE_TIERS names some fields, then only those change', () => {
    const tiers = tiersFromJson(
      JSON.stringify({
        free: { concurrency: 5, tokens: { capacity: 1_000, refillPerMinute: 500 } },
        standard: { monthlyBudgetUsd: null, dailyBudgetUsd: 0.0125 },
      }),
    );
    expect(tiers.free).toMatchObject({
      concurrency: 5,
      tokens: { capacity: 1_000, refillPerMinute: 500 },
      requests: { capacity: 20, refillPerMinute: 20 },
    });
    expect(tiers.standard).toMatchObject({
      dailyBudgetMicroUsd: 12_500,
      monthlyBudgetMicroUsd: undefined,
    });
  });

  it('when a tier is set to null, then it has no limits; unlimited can be given some', () => {
    const limited = {
      requests: { capacity: 1, refillPerMinute: 1 },
      tokens: { capacity: 1, refillPerMinute: 1 },
      concurrency: 1,
      dailyBudgetUsd: null,
      monthlyBudgetUsd: 1,
    };
    const tiers = tiersFromJson(JSON.stringify({ free: null, unlimited: limited }));
    expect(tiers.free).toBeNull();
    expect(tiers.unlimited?.monthlyBudgetMicroUsd).toBe(1_000_000);
  });

  it.each([
    ['{not json', /^RATE_TIERS is not valid JSON/],
    ['{"gold": {}}', /^RATE_TIERS is invalid/],
    [
      '{"free": {"requests": {"capacity": -1, "refillPerMinute": 1}}}',
      /^RATE_TIERS is invalid at free\.requests\.capacity/,
    ],
    ['{"free": {"concurrency": 1.5}}', /^RATE_TIERS is invalid at free\.concurrency/],
    ['{"unlimited": {"concurrency": 3}}', /^RATE_TIERS is invalid at unlimited\.requests/],
  ])('when RATE_TIERS is %s, then the error names it', (json, message) => {
    expect(() => limitsConfigFromEnv({ RATE_TIERS: json })).toThrow(message);
  });

  it('when the failure mode is unknown, then the error names the variable', () => {
    expect(() => limitsConfigFromEnv({ RATE_LIMIT_FAILURE_MODE: 'sideways' })).toThrow(
      /^RATE_LIMIT_FAILURE_MODE is invalid/,
    );
    expect(limitsConfigFromEnv({ RATE_LIMIT_FAILURE_MODE: 'open' }).failureMode).toBe('open');
  });
});
