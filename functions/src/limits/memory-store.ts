// The in-process limit store: the same decisions as the Redis scripts, held in this instance's
// memory. It serves the embedded local default (REDIS_URL unset) and the fail-open fallback,
// where each instance limiting on its own is the accepted price of staying up. Keep its rules
// in step with lua-scripts.ts; the shared store tests run against both.
import type { LimitRefusal } from '@colonycraft/protocol';
import type { BucketLimits } from './limits-config.js';
import type {
  LimitStore,
  StoreAdmit,
  StoreAdmitResult,
  StoreRelease,
  StoreRenew,
  StoreSettle,
} from './limiter.js';
import { dayEnd, monthEnd } from './periods.js';

const MINUTE_MS = 60_000;
/** Float slack, so a refill that lands on 0.9999999999 still counts as one. */
const EPSILON = 1e-9;
/** A refused stream slot frees when some stream ends, which nobody can predict: retry soon. */
export const CONCURRENCY_RETRY_MS = 1_000;
const SWEEP_EVERY = 1_024;
/** How long a released lease's decision still takes nothing (as the Redis store's mark). */
const RELEASE_MARK_TTL_MS = 10 * 60_000;

interface Bucket {
  level: number;
  ts: number;
  /** When it is full again, at which point it can be forgotten. */
  fullAt: number;
}
interface Budget {
  used: number;
  end: number;
}

/** The bucket's level at `now`: what it held plus the refill since, capped at capacity. */
export function levelAt(
  bucket: Pick<Bucket, 'level' | 'ts'> | undefined,
  limits: BucketLimits,
  now: number,
): number {
  if (!bucket) return limits.capacity;
  const refill = (Math.max(0, now - bucket.ts) * limits.refillPerMinute) / MINUTE_MS;
  return Math.min(limits.capacity, bucket.level + refill);
}

/** Milliseconds until a bucket at `level` holds `amount`. */
export function msUntil(level: number, amount: number, limits: BucketLimits): number {
  return Math.max(0, Math.ceil(((amount - level) * MINUTE_MS) / limits.refillPerMinute));
}

const whole = (level: number): number => Math.max(0, Math.floor(level + EPSILON));

export class MemoryLimitStore implements LimitStore {
  private readonly buckets = new Map<string, Bucket>();
  private readonly leases = new Map<string, Map<string, number>>();
  private readonly budgets = new Map<string, Budget>();
  /** Released leases, until when a decision for one still takes nothing. */
  private readonly released = new Map<string, number>();
  private operations = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  async admit(request: StoreAdmit): Promise<StoreAdmitResult> {
    const now = request.now ?? this.clock();
    if (++this.operations % SWEEP_EVERY === 0) this.sweep(now);
    const ends = { daily: dayEnd(now), monthly: monthEnd(now) };
    if ((this.released.get(request.leaseId) ?? 0) > now)
      throw new Error(`lease ${request.leaseId} was released before its decision`);

    let refusal: LimitRefusal | undefined;
    const refuse = (r: LimitRefusal) => {
      if (!refusal || r.retryAfterMs > refusal.retryAfterMs) refusal = r;
    };
    for (const { id, limits } of request.principals) {
      const requests = levelAt(this.buckets.get(`${id}:req`), limits.requests, now);
      if (requests < 1 - EPSILON) {
        const wait = msUntil(requests, 1, limits.requests);
        refuse(bucketRefusal('requests', id, now, wait, limits.requests, requests));
      }
      const need = Math.min(request.tokens, limits.tokens.capacity);
      const tokens = levelAt(this.buckets.get(`${id}:tok`), limits.tokens, now);
      if (need > 0 && tokens < need - EPSILON) {
        const wait = msUntil(tokens, need, limits.tokens);
        refuse(bucketRefusal('tokens', id, now, wait, limits.tokens, tokens));
      }
      const held = this.heldLeases(id, now);
      if (!held.has(request.leaseId) && held.size >= limits.concurrency) {
        const earliest = Math.min(...held.values());
        refuse({
          limit: 'concurrency',
          principal: id,
          retryAfterMs: Math.min(CONCURRENCY_RETRY_MS, earliest - now),
          resetAt: earliest,
          limitValue: limits.concurrency,
          remaining: 0,
        });
      }
      for (const period of ['daily', 'monthly'] as const) {
        const budget =
          period === 'daily' ? limits.dailyBudgetMicroUsd : limits.monthlyBudgetMicroUsd;
        if (budget === undefined) continue;
        const used = this.usedIn(`${id}:${period}`, ends[period]);
        if (used + request.costMicroUsd > budget) {
          refuse({
            limit: `${period}-budget`,
            principal: id,
            retryAfterMs: ends[period] - now,
            resetAt: ends[period],
            limitValue: budget,
            remaining: Math.max(0, budget - used),
          });
        }
      }
    }
    if (refusal) return { ok: false, at: now, refusal };

    // Every principal passed: take from all of them.
    for (const { id, limits } of request.principals) {
      this.take(`${id}:req`, limits.requests, 1, now);
      this.take(`${id}:tok`, limits.tokens, request.tokens, now);
      this.heldLeases(id, now).set(request.leaseId, now + request.leaseTtlMs);
      if (request.costMicroUsd === 0) continue;
      if (limits.dailyBudgetMicroUsd !== undefined)
        this.spend(`${id}:daily`, ends.daily, request.costMicroUsd);
      if (limits.monthlyBudgetMicroUsd !== undefined)
        this.spend(`${id}:monthly`, ends.monthly, request.costMicroUsd);
    }
    const first = request.principals[0]!.limits.requests;
    const left = levelAt(this.buckets.get(`${request.principals[0]!.id}:req`), first, now);
    return {
      ok: true,
      at: now,
      status: {
        limit: first.capacity,
        remaining: whole(left),
        resetMs: msUntil(left, first.capacity, first),
      },
    };
  }

  /** Keeps no journal: with no Redis, usage goes to Firestore directly. */
  async settle(request: StoreSettle): Promise<boolean> {
    const now = request.now ?? this.clock();
    const at = request.admittedAt ?? now;
    const ends = { daily: dayEnd(at), monthly: monthEnd(at) };
    for (const { id, limits } of request.principals) {
      // Only where the lease is still held: a settlement made twice counts once.
      if (!this.heldLeases(id, now).delete(request.leaseId)) continue;
      this.take(`${id}:tok`, limits.tokens, request.extraTokens, now);
      if (request.extraCostMicroUsd === 0) continue;
      if (limits.dailyBudgetMicroUsd !== undefined)
        this.correct(`${id}:daily`, ends.daily, request.extraCostMicroUsd, now);
      if (limits.monthlyBudgetMicroUsd !== undefined)
        this.correct(`${id}:monthly`, ends.monthly, request.extraCostMicroUsd, now);
    }
    return false;
  }

  async release(request: StoreRelease): Promise<void> {
    const { tokens, costMicroUsd, ...lease } = request;
    const now = request.now ?? this.clock();
    this.released.set(request.leaseId, now + RELEASE_MARK_TTL_MS);
    await this.settle({ ...lease, extraTokens: -tokens, extraCostMicroUsd: -costMicroUsd });
  }

  async renew(request: StoreRenew): Promise<boolean> {
    const now = request.now ?? this.clock();
    let renewed = 0;
    for (const { id } of request.principals) {
      const held = this.heldLeases(id, now);
      if (!held.has(request.leaseId)) continue;
      held.set(request.leaseId, now + request.leaseTtlMs);
      renewed++;
    }
    return renewed === request.principals.length;
  }

  async close(): Promise<void> {}

  private heldLeases(id: string, now: number): Map<string, number> {
    let held = this.leases.get(id);
    if (!held) this.leases.set(id, (held = new Map()));
    for (const [lease, expiry] of held) if (expiry <= now) held.delete(lease);
    return held;
  }

  /** Takes `amount` (negative gives back); the level may fall below zero: debt. */
  private take(key: string, limits: BucketLimits, amount: number, now: number): void {
    const before = this.buckets.get(key);
    const level = Math.min(limits.capacity, levelAt(before, limits, now) - amount);
    // A full bucket is the same as none, so idle principals cost no memory.
    if (level >= limits.capacity) this.buckets.delete(key);
    else {
      const ts = Math.max(now, before?.ts ?? now);
      this.buckets.set(key, { level, ts, fullAt: ts + msUntil(level, limits.capacity, limits) });
    }
  }

  private usedIn(key: string, end: number): number {
    const budget = this.budgets.get(key);
    return budget?.end === end ? budget.used : 0;
  }

  private spend(key: string, end: number, cost: number): void {
    this.budgets.set(key, { used: this.usedIn(key, end) + cost, end });
  }

  /** A correction for a period that has ended is dropped: that budget has reset. */
  private correct(key: string, end: number, extra: number, now: number): void {
    if (end <= now) return;
    this.budgets.set(key, { used: Math.max(0, this.usedIn(key, end) + extra), end });
  }

  private sweep(now: number): void {
    for (const [key, budget] of this.budgets) if (budget.end <= now) this.budgets.delete(key);
    for (const [key, bucket] of this.buckets) if (bucket.fullAt <= now) this.buckets.delete(key);
    for (const [lease, until] of this.released) if (until <= now) this.released.delete(lease);
    for (const id of this.leases.keys())
      if (this.heldLeases(id, now).size === 0) this.leases.delete(id);
  }
}

function bucketRefusal(
  limit: 'requests' | 'tokens',
  principal: string,
  now: number,
  waitMs: number,
  limits: BucketLimits,
  level: number,
): LimitRefusal {
  return {
    limit,
    principal,
    retryAfterMs: waitMs,
    resetAt: now + waitMs,
    limitValue: limits.capacity,
    remaining: whole(level),
  };
}
