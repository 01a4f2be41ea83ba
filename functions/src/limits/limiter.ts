// The rate limiter: one decision per call, before the provider is asked, and one settlement
// after it. A decision takes one request and the estimated LLM tokens from each principal's
// buckets, holds a stream slot (a lease) and reserves the estimated cost against the daily and
// monthly budgets — all or nothing, for every principal at once — in one store round trip.
// Settling releases the slot and corrects tokens and cost by what the call really used.
import { randomUUID } from 'node:crypto';
import type { LimitRefusal, RateTier } from '@colonycraft/protocol';
import type { LimitsConfig, TierLimits } from './limits-config.js';

/** A principal and the limits that apply to it. */
export interface PrincipalLimits {
  /** `user:{uid}` or `key:{keyId}`. */
  id: string;
  limits: TierLimits;
}

/** The request bucket of the first limited principal, for RateLimit-* headers. */
export interface RateLimitStatus {
  limit: number;
  remaining: number;
  /** Until the bucket is full again. */
  resetMs: number;
}

/**
 * The principals of one call are decided together, in one script: on Redis their keys share
 * a hash tag, their group's (the user the call is made for; the first principal's id unless
 * given), so that a Redis Cluster keeps them in one slot.
 */
interface Grouped {
  group?: string | undefined;
}

export interface StoreAdmit extends Grouped {
  principals: readonly PrincipalLimits[];
  tokens: number;
  costMicroUsd: number;
  leaseId: string;
  leaseTtlMs: number;
  /** Milliseconds since the epoch; the store's own clock when absent. */
  now?: number | undefined;
}

export type StoreAdmitResult =
  | { ok: true; at: number; status: RateLimitStatus }
  | { ok: false; at: number; refusal: LimitRefusal };

/**
 * A call's usage record, handed to the store with the settlement that charges it, so that the
 * ledger and the budgets cannot disagree (usage/ledger-drain.ts takes it on to Firestore).
 */
export interface JournalEntry {
  /** The call's id: its record's id in the ledger, so that a record kept twice counts once. */
  callId: string;
  /** The UsageRecord, as JSON. */
  record: string;
}

export interface StoreSettle extends Grouped {
  principals: readonly PrincipalLimits[];
  leaseId: string;
  /** Kept by a store that has a ledger (Redis) in the same step; the others ignore it. */
  journal?: JournalEntry | undefined;
  /** Actual minus estimated: positive takes more (the bucket may go into debt), negative returns. */
  extraTokens: number;
  extraCostMicroUsd: number;
  /** The decision's time: a correction lands in the budget period the reservation went to. */
  admittedAt?: number | undefined;
  now?: number | undefined;
}

export interface StoreRenew extends Grouped {
  principals: readonly PrincipalLimits[];
  leaseId: string;
  leaseTtlMs: number;
  now?: number | undefined;
}

/** An admission to undo: its lease, and what it reserved. */
export interface StoreRelease extends Grouped {
  principals: readonly PrincipalLimits[];
  leaseId: string;
  tokens: number;
  costMicroUsd: number;
  now?: number | undefined;
}

/** Where buckets, leases and budgets live. Every operation is one atomic round trip. */
export interface LimitStore {
  admit(request: StoreAdmit): Promise<StoreAdmitResult>;
  /**
   * Releases the lease and corrects by the extras, where the lease is still held: a settlement
   * made twice counts once. True when the store kept `journal`, whether or not the lease
   * was still held: the caller records the usage elsewhere when it is false.
   */
  settle(request: StoreSettle): Promise<boolean>;
  /**
   * Undoes an admission whose answer never came: if its decision ran, its lease and
   * reservation are returned (the request still counts); if it has not run yet, it takes
   * nothing when it does.
   */
  release(request: StoreRelease): Promise<void>;
  /** True when the lease was still held by every principal. */
  renew(request: StoreRenew): Promise<boolean>;
  close(): Promise<void>;
}

/** A principal id, which takes the request's tier, or one with its own tier. */
export type Principal = string | { id: string; tier: RateTier };

export interface AdmitRequest extends Grouped {
  /** Every one must pass, e.g. `['user:u1']` or `['user:u1', 'key:k1']`. */
  principals: readonly Principal[];
  tier: RateTier;
  estimatedTokens: number;
  estimatedCostMicroUsd: number;
  /** Generated when absent. */
  leaseId?: string;
  now?: number;
}

/** What settling needs to know about an admitted call. */
export interface Lease extends Grouped {
  principals: readonly Principal[];
  tier: RateTier;
  leaseId: string;
  estimatedTokens: number;
  estimatedCostMicroUsd: number;
  admittedAt?: number | undefined;
}

export type Admission =
  | { ok: true; lease: Lease; rateLimit: RateLimitStatus | undefined }
  | { ok: false; refusal: LimitRefusal };

export interface SettleRequest extends Lease {
  actualTokens: number;
  actualCostMicroUsd: number;
  journal?: JournalEntry | undefined;
  now?: number;
}

/** The store could not be reached: the operation was never sent, so it had no effect. */
export class StoreUnreachable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnreachable';
  }
}

function count(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a finite number ≥ 0, got ${value}`);
  }
  return Math.round(value);
}

export class Limiter {
  constructor(
    readonly store: LimitStore,
    readonly config: LimitsConfig,
  ) {}

  /** The limited principals; unlimited ones take no part in any decision. */
  private resolve(principals: readonly Principal[], tier: RateTier): PrincipalLimits[] {
    if (principals.length === 0) throw new Error('a decision needs at least one principal');
    const resolved: PrincipalLimits[] = [];
    for (const p of principals) {
      const id = typeof p === 'string' ? p : p.id;
      if (id === '') throw new Error('a principal id must not be empty');
      // Named twice, a principal would pay twice.
      if (resolved.some((r) => r.id === id)) continue;
      const limits = this.config.tiers[typeof p === 'string' ? tier : p.tier];
      if (limits) resolved.push({ id, limits });
    }
    return resolved;
  }

  async admit(request: AdmitRequest): Promise<Admission> {
    const tokens = count('estimatedTokens', request.estimatedTokens);
    const costMicroUsd = count('estimatedCostMicroUsd', request.estimatedCostMicroUsd);
    const leaseId = request.leaseId ?? randomUUID();
    const first = request.principals[0];
    const lease: Lease = {
      group: request.group ?? (typeof first === 'string' ? first : first?.id),
      principals: request.principals,
      tier: request.tier,
      leaseId,
      estimatedTokens: tokens,
      estimatedCostMicroUsd: costMicroUsd,
    };
    const principals = this.resolve(request.principals, request.tier);
    if (principals.length === 0) return { ok: true, lease, rateLimit: undefined };

    const result = await this.store.admit({
      group: lease.group,
      principals,
      tokens,
      costMicroUsd,
      leaseId,
      leaseTtlMs: this.config.leaseTtlMs,
      now: request.now,
    });
    if (!result.ok) return { ok: false, refusal: result.refusal };
    return { ok: true, lease: { ...lease, admittedAt: result.at }, rateLimit: result.status };
  }

  /**
   * Releases the lease and corrects the reservation by the real usage; true when the store
   * kept the request's journal entry.
   */
  async settle(request: SettleRequest): Promise<boolean> {
    const principals = this.resolve(request.principals, request.tier);
    // Unlimited, a call still hands its usage record to the store that keeps a ledger.
    if (principals.length === 0 && !request.journal) return false;
    return this.store.settle({
      group: request.group,
      principals,
      leaseId: request.leaseId,
      journal: request.journal,
      extraTokens:
        count('actualTokens', request.actualTokens) -
        count('estimatedTokens', request.estimatedTokens),
      extraCostMicroUsd:
        count('actualCostMicroUsd', request.actualCostMicroUsd) -
        count('estimatedCostMicroUsd', request.estimatedCostMicroUsd),
      admittedAt: request.admittedAt,
      now: request.now,
    });
  }

  /** Extends a long stream's lease; false when it had already expired. */
  async renew(lease: Pick<Lease, 'group' | 'principals' | 'tier' | 'leaseId'>, now?: number) {
    const principals = this.resolve(lease.principals, lease.tier);
    if (principals.length === 0) return true;
    return this.store.renew({
      group: lease.group,
      principals,
      leaseId: lease.leaseId,
      leaseTtlMs: this.config.leaseTtlMs,
      now,
    });
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
