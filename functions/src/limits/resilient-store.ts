// What the limiter does when Redis fails, by policy: `closed` refuses the call as unavailable
// (nobody gets past limits that cannot be checked), `open` decides with this instance's own
// in-memory store (limits then hold per instance, not in total). Either way the failure is
// logged, once per outage rather than once per call, and counted.
import { GatewayError } from '../errors.js';
import type { FailureMode } from './limits-config.js';
import type {
  LimitStore,
  StoreAdmit,
  StoreAdmitResult,
  StoreRenew,
  StoreSettle,
} from './limiter.js';
import { MemoryLimitStore } from './memory-store.js';
import { Outage } from './outage.js';

/** Counters for the instance's metrics endpoint and for tests. */
export const limiterMetrics = {
  /** Store operations that failed because of Redis. */
  redisFailures: 0,
  /** Decisions the in-process fallback made while Redis was failing. */
  failOpenDecisions: 0,
};

const SWEEP_AT = 1_024;

export class ResilientLimitStore implements LimitStore {
  private readonly fallback: MemoryLimitStore;
  /** Leases the fallback granted, so their settlement goes to the fallback too. */
  private readonly fallbackLeases = new Map<string, number>();
  private readonly outage = new Outage('rate limiter: Redis', () => limiterMetrics.redisFailures++);

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
      if (this.mode === 'closed') {
        throw new GatewayError(
          'unavailable',
          'Rate limiting is unavailable, so calls are refused for now. Try again shortly.',
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
   * A failed settlement is logged and dropped rather than thrown: the call it belongs to has
   * already happened, and its lease expires by itself.
   */
  async settle(request: StoreSettle): Promise<void> {
    if (this.fallbackLeases.delete(request.leaseId)) return this.fallback.settle(request);
    try {
      await this.primary.settle(request);
      this.recovered();
    } catch (error) {
      this.failed('settle', error);
    }
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
    await this.primary.close();
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
