// The behaviour every limit store must show, as one test body that limits/memory-store.test.ts
// and limits/redis-store.int.test.ts both run: buckets and refill, token debt, leases and
// several principals (budgets: budget-behaviour.ts). Time is injected (`now`), never slept
// through.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LimitsConfig, TierLimits } from '../../limits/limits-config.js';
import {
  Limiter,
  type AdmitRequest,
  type LimitStore,
  type Principal,
} from '../../limits/limiter.js';

/** Noon UTC on 4 March 2025. */
export const T0 = Date.UTC(2025, 2, 4, 12);

export const TEST_TIER: TierLimits = {
  requests: { capacity: 3, refillPerMinute: 60 }, // one a second
  tokens: { capacity: 1_000, refillPerMinute: 60_000 }, // one a millisecond
  concurrency: 100,
  dailyBudgetMicroUsd: undefined,
  monthlyBudgetMicroUsd: undefined,
};

export function testLimiter(
  store: LimitStore,
  tier: Partial<TierLimits> = {},
  leaseTtlMs = 60_000,
) {
  const config: LimitsConfig = {
    tiers: { free: { ...TEST_TIER, ...tier }, standard: TEST_TIER, unlimited: null },
    failureMode: 'closed',
    leaseTtlMs,
  };
  return new Limiter(store, config);
}

export const user = () => `user:${randomUUID()}`;

/** A free-tier call for `principals` at `now`: one request, no tokens, no cost, unless `more`. */
export const call = (principals: Principal[], now: number, more: Partial<AdmitRequest> = {}) => ({
  principals,
  tier: 'free' as const,
  estimatedTokens: 0,
  estimatedCostMicroUsd: 0,
  now,
  ...more,
});

export async function admitted(limiter: Limiter, requests: AdmitRequest[]): Promise<number> {
  const results = await Promise.all(requests.map((r) => limiter.admit(r)));
  return results.filter((r) => r.ok).length;
}

export function storeBehaviour(getStore: () => LimitStore): void {
  it('when the request bucket is empty, then the call is refused with the wait for one request', async () => {
    const limiter = testLimiter(getStore());
    const p = [user()];
    const first = await limiter.admit(call(p, T0));
    expect(first.ok && first.rateLimit).toEqual({ limit: 3, remaining: 2, resetMs: 1_000 });
    expect(await admitted(limiter, [call(p, T0), call(p, T0)])).toBe(2);
    const refused = await limiter.admit(call(p, T0 + 250));
    expect(refused).toEqual({
      ok: false,
      refusal: {
        limit: 'requests',
        principal: p[0],
        retryAfterMs: 750,
        resetAt: T0 + 1_000,
        limitValue: 3,
        remaining: 0,
      },
    });
  });

  it('when one refill interval passes, then exactly the refilled requests pass and then no more', async () => {
    const limiter = testLimiter(getStore(), { requests: { capacity: 10, refillPerMinute: 10 } });
    const p = [user()];
    expect(
      await admitted(
        limiter,
        Array.from({ length: 12 }, () => call(p, T0)),
      ),
    ).toBe(10);
    // One request every 6 s: 30 s later, five.
    const later = Array.from({ length: 8 }, () => call(p, T0 + 30_000));
    expect(await admitted(limiter, later)).toBe(5);
    expect(await admitted(limiter, [call(p, T0 + 35_999)])).toBe(0);
    expect(await admitted(limiter, [call(p, T0 + 36_000)])).toBe(1);
    // A long pause refills to capacity, not beyond.
    const muchLater = Array.from({ length: 15 }, () => call(p, T0 + 3_600_000));
    expect(await admitted(limiter, muchLater)).toBe(10);
  });

  it('when a call uses more tokens than estimated, then the bucket goes into debt and delays the next call', async () => {
    const limiter = testLimiter(getStore());
    const p = [user()];
    const first = await limiter.admit(call(p, T0, { estimatedTokens: 600 }));
    if (!first.ok) throw new Error('first call refused');
    const second = await limiter.admit(call(p, T0, { estimatedTokens: 600 }));
    expect(!second.ok && second.refusal).toMatchObject({ limit: 'tokens', retryAfterMs: 200 });

    await limiter.settle({ ...first.lease, actualTokens: 1_500, actualCostMicroUsd: 0, now: T0 });
    // 400 left − 900 more = −500: a call of 100 waits 600 ms.
    const third = await limiter.admit(call(p, T0, { estimatedTokens: 100 }));
    expect(!third.ok && third.refusal).toMatchObject({
      limit: 'tokens',
      retryAfterMs: 600,
      remaining: 0,
    });
    expect((await limiter.admit(call(p, T0 + 599, { estimatedTokens: 100 }))).ok).toBe(false);
    expect((await limiter.admit(call(p, T0 + 600, { estimatedTokens: 100 }))).ok).toBe(true);
  });

  it('when a call uses fewer tokens than estimated, then the difference comes back', async () => {
    const limiter = testLimiter(getStore());
    const p = [user()];
    const first = await limiter.admit(call(p, T0, { estimatedTokens: 900 }));
    if (!first.ok) throw new Error('first call refused');
    await limiter.settle({ ...first.lease, actualTokens: 100, actualCostMicroUsd: 0, now: T0 });
    expect((await limiter.admit(call(p, T0, { estimatedTokens: 900 }))).ok).toBe(true);
  });

  it('when the tokens refuse, then the request bucket is not taken from either', async () => {
    const limiter = testLimiter(getStore());
    const p = [user()];
    await limiter.admit(call(p, T0, { estimatedTokens: 1_000 }));
    expect((await limiter.admit(call(p, T0, { estimatedTokens: 10 }))).ok).toBe(false);
    const next = await limiter.admit(call(p, T0 + 10, { estimatedTokens: 10 }));
    expect(next.ok && next.rateLimit?.remaining).toBe(1);
  });

  it('when an estimate exceeds the token capacity, then it passes on a full bucket and empties it', async () => {
    const limiter = testLimiter(getStore());
    const p = [user()];
    expect((await limiter.admit(call(p, T0, { estimatedTokens: 5_000 }))).ok).toBe(true);
    const next = await limiter.admit(call(p, T0 + 3_000, { estimatedTokens: 1 }));
    expect(!next.ok && next.refusal).toMatchObject({ limit: 'tokens', retryAfterMs: 1_001 });
  });

  it('when the stream slots are taken, then the next call waits until one is settled or expires', async () => {
    const store = getStore();
    const limiter = testLimiter(store, {
      concurrency: 2,
      requests: { capacity: 100, refillPerMinute: 60 },
    });
    const p = [user()];
    const a = await limiter.admit(call(p, T0));
    const b = await limiter.admit(call(p, T0 + 10));
    if (!a.ok || !b.ok) throw new Error('refused');
    const refused = await limiter.admit(call(p, T0 + 20));
    expect(!refused.ok && refused.refusal).toEqual({
      limit: 'concurrency',
      principal: p[0],
      retryAfterMs: 1_000,
      resetAt: T0 + 60_000,
      limitValue: 2,
      remaining: 0,
    });
    await limiter.settle({ ...a.lease, actualTokens: 0, actualCostMicroUsd: 0, now: T0 + 30 });
    const c = await limiter.admit(call(p, T0 + 40));
    expect(c.ok).toBe(true);
    expect((await limiter.admit(call(p, T0 + 50))).ok).toBe(false);
    // b was never settled (its instance vanished): its lease frees itself after the TTL.
    expect((await limiter.admit(call(p, T0 + 60_010))).ok).toBe(true);
    expect((await limiter.admit(call(p, T0 + 60_020))).ok).toBe(false);
  });

  it('when a lease is renewed, then it outlives its first expiry; an expired one cannot be', async () => {
    const limiter = testLimiter(getStore(), { concurrency: 1 });
    const p = [user()];
    const a = await limiter.admit(call(p, T0));
    if (!a.ok) throw new Error('refused');
    expect(await limiter.renew(a.lease, T0 + 50_000)).toBe(true);
    expect((await limiter.admit(call(p, T0 + 100_000))).ok).toBe(false);
    expect((await limiter.admit(call(p, T0 + 110_000))).ok).toBe(true);
    expect(await limiter.renew(a.lease, T0 + 110_000)).toBe(false);
  });

  it('when either of user and key is exhausted, then the call is refused and the other keeps all it had', async () => {
    const limiter = testLimiter(getStore());
    // A key is always decided in its owner's group, alone or beside them.
    const [u, k] = [user(), `key:${randomUUID()}`];
    const as = (principals: Principal[]) => call(principals, T0, { group: u });
    expect(await admitted(limiter, [as([k]), as([k]), as([k])])).toBe(3);
    const refused = await limiter.admit(as([u, k]));
    expect(!refused.ok && refused.refusal).toMatchObject({ limit: 'requests', principal: k });
    // Nothing was taken from the user: all three of theirs are still there.
    expect(await admitted(limiter, [as([u]), as([u]), as([u])])).toBe(3);
    // And the other way round, with a fresh key.
    const k2 = `key:${randomUUID()}`;
    const other = await limiter.admit(as([u, k2]));
    expect(!other.ok && other.refusal).toMatchObject({ limit: 'requests', principal: u });
    expect(await admitted(limiter, [as([k2]), as([k2]), as([k2])])).toBe(3);
  });

  it('when principals have tiers of their own, then each is held to its own', async () => {
    const limiter = testLimiter(getStore(), { requests: { capacity: 1, refillPerMinute: 1 } });
    const [u, k] = [user(), `key:${randomUUID()}`];
    const both: Principal[] = [u, { id: k, tier: 'standard' }];
    const first = await limiter.admit(call(both, T0, { group: u }));
    expect(first.ok && first.rateLimit?.limit).toBe(1);
    expect((await limiter.admit(call([{ id: k, tier: 'standard' }], T0, { group: u }))).ok).toBe(
      true,
    );
    expect((await limiter.admit(call(both, T0, { group: u }))).ok).toBe(false);
  });

  describe('settling and releasing, which Redis may receive twice or late', () => {
    const tier = {
      concurrency: 1,
      requests: { capacity: 2, refillPerMinute: 1 },
      dailyBudgetMicroUsd: 100,
    };
    const resolved = (limiter: Limiter, id: string) => [{ id, limits: limiter.config.tiers.free! }];

    it('when a settlement is sent twice, then it counts once', async () => {
      const store = getStore();
      const limiter = testLimiter(store, tier);
      const p = [user()];
      const a = await limiter.admit(call(p, T0, { estimatedCostMicroUsd: 10 }));
      if (!a.ok) throw new Error('refused');
      const settlement = { ...a.lease, actualTokens: 0, actualCostMicroUsd: 30, now: T0 };
      await limiter.settle(settlement);
      await limiter.settle(settlement);
      // 30 spent, not 50: 70 more fit the budget of 100 exactly.
      expect((await limiter.admit(call(p, T0, { estimatedCostMicroUsd: 70 }))).ok).toBe(true);
    });

    it('when an admission is released, then its lease, tokens and budget come back and its request still counts', async () => {
      const store = getStore();
      const limiter = testLimiter(store, tier);
      const p = user();
      const more = { estimatedTokens: 1_000, estimatedCostMicroUsd: 100 };
      const a = await limiter.admit(call([p], T0, more));
      if (!a.ok) throw new Error('refused');
      const release = { principals: resolved(limiter, p), leaseId: a.lease.leaseId, now: T0 };
      await store.release({ ...release, tokens: 1_000, costMicroUsd: 100 });
      const b = await limiter.admit(call([p], T0, more));
      expect(b.ok && b.rateLimit?.remaining).toBe(0);
    });

    it('when a release arrives before its decision, then the decision takes nothing', async () => {
      const store = getStore();
      const limiter = testLimiter(store, tier);
      const p = user();
      const leaseId = randomUUID();
      await store.release({
        principals: resolved(limiter, p),
        leaseId,
        tokens: 1_000,
        costMicroUsd: 100,
        now: T0,
      });
      const more = { estimatedTokens: 1_000, estimatedCostMicroUsd: 100 };
      await expect(limiter.admit(call([p], T0, { ...more, leaseId }))).rejects.toThrow(
        `lease ${leaseId} was released before its decision`,
      );
      const b = await limiter.admit(call([p], T0, more));
      expect(b.ok && b.rateLimit?.remaining).toBe(1);
    });
  });
}
