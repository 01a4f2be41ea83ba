// The limiter's own part: tiers per principal, the unlimited short cut, input checks, and the
// store chosen from the environment.
import { describe, expect, it } from 'vitest';
import { Limiter, type LimitStore, type StoreAdmit } from './limiter.js';
import { limiterFromEnv } from './limiter-from-env.js';
import { MemoryLimitStore } from './memory-store.js';
import { ResilientLimitStore } from './resilient-store.js';
import { TEST_TIER } from '../dev/limits/store-behaviour.js';

/** A store that records what reaches it, or fails if anything does. */
function spyStore(fail = false) {
  const admitted: StoreAdmit[] = [];
  const store: LimitStore = {
    async admit(request) {
      if (fail) throw new Error('the store was asked');
      admitted.push(request);
      return { ok: true, at: 1, status: { limit: 1, remaining: 0, resetMs: 1 } };
    },
    async settle() {
      if (fail) throw new Error('the store was asked');
      return false;
    },
    async release() {
      if (fail) throw new Error('the store was asked');
    },
    async renew() {
      if (fail) throw new Error('the store was asked');
      return true;
    },
    async close() {},
  };
  return { store, admitted };
}

const config = {
  tiers: { free: TEST_TIER, standard: TEST_TIER, unlimited: null },
  failureMode: 'closed' as const,
  leaseTtlMs: 1_000,
};
const call = { estimatedTokens: 10, estimatedCostMicroUsd: 0 };

describe('Limiter', () => {
  it('when the tier is unlimited, then every call is admitted without asking the store', async () => {
    const limiter = new Limiter(spyStore(true).store, config);
    const admission = await limiter.admit({ ...call, principals: ['user:u1'], tier: 'unlimited' });
    expect(admission).toMatchObject({ ok: true, rateLimit: undefined });
    if (!admission.ok) return;
    expect(admission.lease.leaseId).toMatch(/^[0-9a-f-]{36}$/);
    await limiter.settle({ ...admission.lease, actualTokens: 5, actualCostMicroUsd: 5 });
    expect(await limiter.renew(admission.lease)).toBe(true);
  });

  it('when only some principals are limited, then only those reach the store', async () => {
    const { store, admitted } = spyStore();
    const limiter = new Limiter(store, config);
    await limiter.admit({
      ...call,
      principals: ['user:u1', { id: 'key:k1', tier: 'free' }],
      tier: 'unlimited',
      estimatedCostMicroUsd: 12.4,
      leaseId: 'lease-1',
    });
    expect(admitted).toHaveLength(1);
    expect(admitted[0]).toMatchObject({ leaseId: 'lease-1', costMicroUsd: 12, tokens: 10 });
    expect(admitted[0]!.principals.map((p) => p.id)).toEqual(['key:k1']);
  });

  it('when the input makes no sense, then the limiter says so instead of guessing', async () => {
    const limiter = new Limiter(spyStore().store, config);
    await expect(limiter.admit({ ...call, principals: [], tier: 'free' })).rejects.toThrow(
      /at least one principal/,
    );
    await expect(
      limiter.admit({ ...call, principals: ['user:u1'], tier: 'free', estimatedTokens: -1 }),
    ).rejects.toThrow(/estimatedTokens/);
    await expect(
      limiter.admit({ ...call, principals: ['user:u1'], tier: 'free', estimatedCostMicroUsd: NaN }),
    ).rejects.toThrow(/estimatedCostMicroUsd/);
  });
});

describe('limiterFromEnv', () => {
  it('when REDIS_URL is unset, then the instance limits in process', async () => {
    const limiter = limiterFromEnv({});
    expect(limiter.store).toBeInstanceOf(MemoryLimitStore);
    await limiter.close();
  });

  it('when REDIS_URL is set, then Redis decides behind the failure policy', async () => {
    const limiter = limiterFromEnv({
      REDIS_URL: 'redis://127.0.0.1:1',
      RATE_LIMIT_FAILURE_MODE: 'open',
    });
    expect(limiter.store).toBeInstanceOf(ResilientLimitStore);
    expect(limiter.config.failureMode).toBe('open');
    await limiter.close();
  });
});
