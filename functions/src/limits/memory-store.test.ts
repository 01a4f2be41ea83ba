// The in-process store against the shared store behaviour, plus what only it does.
import { describe, expect, it } from 'vitest';
import { MemoryLimitStore } from './memory-store.js';
import { budgetBehaviour } from '../dev/limits/budget-behaviour.js';
import { storeBehaviour, T0, testLimiter } from '../dev/limits/store-behaviour.js';

describe('MemoryLimitStore', () => {
  storeBehaviour(() => new MemoryLimitStore());
  budgetBehaviour(() => new MemoryLimitStore());

  it('when no time is given, then its own clock decides', async () => {
    let now = T0;
    const limiter = testLimiter(new MemoryLimitStore(() => now), {
      requests: { capacity: 1, refillPerMinute: 60 },
    });
    const principals = ['user:clock'];
    const call = {
      principals,
      tier: 'free' as const,
      estimatedTokens: 0,
      estimatedCostMicroUsd: 0,
    };
    expect((await limiter.admit(call)).ok).toBe(true);
    expect((await limiter.admit(call)).ok).toBe(false);
    now += 1_000;
    const again = await limiter.admit(call);
    expect(again.ok && again.lease.admittedAt).toBe(T0 + 1_000);
  });

  it('when thousands of principals come and go, then idle ones are forgotten', async () => {
    const store = new MemoryLimitStore();
    const limiter = testLimiter(store);
    for (let i = 0; i < 3_000; i++) {
      const admission = await limiter.admit({
        principals: [`user:${i}`],
        tier: 'free',
        estimatedTokens: 10,
        estimatedCostMicroUsd: 0,
        now: T0 + i * 10_000,
      });
      if (admission.ok)
        await limiter.settle({
          ...admission.lease,
          actualTokens: 10,
          actualCostMicroUsd: 0,
          now: T0 + i * 10_000,
        });
    }
    // Swept every 1,024 decisions: at most the principals seen since the last sweep remain,
    // each with a request and a token bucket.
    const sizes = store as unknown as {
      buckets: Map<string, unknown>;
      leases: Map<string, unknown>;
    };
    expect(sizes.buckets.size).toBeLessThanOrEqual(2 * 1_024);
    expect(sizes.leases.size).toBeLessThanOrEqual(1_024);
  });
});
