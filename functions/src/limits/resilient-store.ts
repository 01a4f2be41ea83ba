// What the limiter does when Redis fails, by policy: `closed` refuses the call as unavailable
// (nobody gets past limits that cannot be checked), `open` decides with this instance's own
// in-memory store (limits then hold per instance, not in total), except for a principal with
// a budget, which is refused as in `closed`: the day's spend is in Redis alone. Either way the
// failure is logged, once per outage rather than once per call, and counted.
//
// Nothing leaks when Redis answers late or not at all. A decision the gateway gave up waiting
// for may still run when Redis catches up, so it is released: its lease and reservation are
// returned if it ran, and it takes nothing if it runs later. A settlement or release that
// fails is owed, and retried every second until Redis confirms it (for at most OWED_FOR_MS).
// Both are safe to repeat.
import { GatewayError } from '../errors.js';
import type { FailureMode } from './limits-config.js';
import {
  StoreUnreachable,
  type LimitStore,
  type PrincipalLimits,
  type StoreAdmit,
  type StoreAdmitResult,
  type StoreRelease,
  type StoreRenew,
  type StoreSettle,
} from './limiter.js';
import { MemoryLimitStore } from './memory-store.js';
import { Outage } from './outage.js';

/** Counters for the instance's metrics endpoint and for tests. */
export const limiterMetrics = {
  /** Store operations that failed because of Redis. */
  redisFailures: 0,
  /** Decisions the in-process fallback made while Redis was failing. */
  failOpenDecisions: 0,
  /** Settlements and releases Redis has not confirmed yet. */
  owed: 0,
  /** Owed ones given up: too many, or Redis away for longer than OWED_FOR_MS. */
  owedDropped: 0,
};

const SWEEP_AT = 1_024;
const RETRY_OWED_MS = 1_000;
/** After this long an owed lease has expired by itself; its reservation is what is lost. */
const OWED_FOR_MS = 10 * 60_000;
const MAX_OWED = 10_000;

const hasBudget = ({ limits }: PrincipalLimits): boolean =>
  limits.dailyBudgetMicroUsd !== undefined || limits.monthlyBudgetMicroUsd !== undefined;

interface Owed {
  name: string;
  send(): Promise<void>;
  until: number;
}

export class ResilientLimitStore implements LimitStore {
  private readonly fallback: MemoryLimitStore;
  /** Leases the fallback granted, so their settlement goes to the fallback too. */
  private readonly fallbackLeases = new Map<string, number>();
  private readonly outage = new Outage('rate limiter: Redis', () => limiterMetrics.redisFailures++);
  /** By lease id: the last word on a lease replaces any earlier one. */
  private readonly owed = new Map<string, Owed>();
  private retrying: NodeJS.Timeout | undefined;
  private paying = false;

  constructor(
    private readonly primary: LimitStore,
    private readonly mode: FailureMode,
    private readonly clock: () => number = Date.now,
  ) {
    this.fallback = new MemoryLimitStore(clock);
  }

  async admit(request: StoreAdmit): Promise<StoreAdmitResult> {
    try {
      const result = await this.primary.admit(request);
      this.recovered();
      return result;
    } catch (error) {
      this.failed('admit', error);
      if (!(error instanceof StoreUnreachable)) {
        const { group, principals, leaseId, tokens, costMicroUsd } = request;
        void this.send('release', leaseId, () =>
          this.primary.release({ group, principals, leaseId, tokens, costMicroUsd }),
        );
      }
      if (this.mode === 'closed') {
        throw new GatewayError(
          'unavailable',
          'Rate limiting is unavailable, so calls are refused for now. Try again shortly.',
          undefined,
          { cause: error },
        );
      }
      // The day's and month's spend live in Redis: no instance alone knows them, so a budget
      // fails closed even in open mode.
      if (request.principals.some(hasBudget)) {
        throw new GatewayError(
          'unavailable',
          'Budgets cannot be checked while rate limiting is unavailable, so calls with a budget are refused for now. Try again shortly.',
          undefined,
          { cause: error },
        );
      }
      limiterMetrics.failOpenDecisions++;
      const result = await this.fallback.admit(request);
      if (result.ok) this.rememberFallbackLease(request.leaseId, request.leaseTtlMs);
      return result;
    }
  }

  /**
   * A settlement that fails is owed, not thrown: the call it belongs to has already happened.
   * Resolves once it is confirmed (true when Redis kept the journal entry) or owed (false: the
   * caller records the usage itself; the entry still goes with the owed settlement, and the
   * ledger counts a call once by its id).
   */
  async settle(request: StoreSettle): Promise<boolean> {
    if (this.fallbackLeases.delete(request.leaseId)) return this.fallback.settle(request);
    let journaled = false;
    await this.send('settle', request.leaseId, async () => {
      journaled = await this.primary.settle(request);
    });
    return journaled;
  }

  async release(request: StoreRelease): Promise<void> {
    if (this.fallbackLeases.delete(request.leaseId)) return this.fallback.release(request);
    await this.send('release', request.leaseId, () => this.primary.release(request));
  }

  async renew(request: StoreRenew): Promise<boolean> {
    if (this.fallbackLeases.has(request.leaseId)) {
      this.rememberFallbackLease(request.leaseId, request.leaseTtlMs);
      return this.fallback.renew(request);
    }
    try {
      const renewed = await this.primary.renew(request);
      this.recovered();
      return renewed;
    } catch (error) {
      this.failed('renew', error);
      return false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.retrying);
    await this.primary.close();
  }

  /** Sends an operation that must reach Redis in the end; owes it when it fails now. */
  private async send(name: string, leaseId: string, operation: () => Promise<void>): Promise<void> {
    try {
      await operation();
      this.recovered();
    } catch (error) {
      this.failed(name, error);
      this.owe(name, leaseId, operation);
    }
  }

  private owe(name: string, leaseId: string, send: () => Promise<void>): void {
    if (this.owed.size >= MAX_OWED && !this.owed.has(leaseId)) {
      limiterMetrics.owedDropped++;
      return;
    }
    this.owed.set(leaseId, { name, send, until: this.clock() + OWED_FOR_MS });
    limiterMetrics.owed = this.owed.size;
    if (!this.retrying) {
      this.retrying = setInterval(() => void this.payOwed(), RETRY_OWED_MS);
      this.retrying.unref();
    }
  }

  /** One round of retries; a round still waiting for Redis is not overlapped by the next. */
  private async payOwed(): Promise<void> {
    if (this.paying) return;
    this.paying = true;
    try {
      const now = this.clock();
      await Promise.all(
        [...this.owed].map(async ([leaseId, owed]) => {
          if (owed.until <= now) {
            this.owed.delete(leaseId);
            limiterMetrics.owedDropped++;
            return;
          }
          try {
            await owed.send();
            if (this.owed.get(leaseId) === owed) this.owed.delete(leaseId);
            this.recovered();
          } catch (error) {
            this.failed(owed.name, error);
          }
        }),
      );
    } finally {
      this.paying = false;
      limiterMetrics.owed = this.owed.size;
      if (this.owed.size === 0) {
        clearInterval(this.retrying);
        this.retrying = undefined;
      }
    }
  }

  private rememberFallbackLease(leaseId: string, ttlMs: number): void {
    const now = this.clock();
    // Leases that were never settled are forgotten once they have expired.
    if (this.fallbackLeases.size >= SWEEP_AT) {
      for (const [id, expiry] of this.fallbackLeases) {
        if (expiry <= now) this.fallbackLeases.delete(id);
      }
    }
    this.fallbackLeases.set(leaseId, now + ttlMs);
  }

  private failed(operation: string, error: unknown): void {
    this.outage.failed({
      operation,
      mode: this.mode,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  private recovered(): void {
    this.outage.recovered();
  }
}
