// A memory limit store for in-process tests that records what it is asked and can be told to
// refuse: every admission (`refuse`) or the next few (`refusals`).
import type { LimitStore, StoreAdmit, StoreRelease, StoreSettle } from '../../limits/limiter.js';
import { MemoryLimitStore } from '../../limits/memory-store.js';

export class SpyLimitStore implements LimitStore {
  readonly inner = new MemoryLimitStore();
  admits: StoreAdmit[] = [];
  settles: StoreSettle[] = [];
  releases: StoreRelease[] = [];
  /** Refuse every admission while true. */
  refuse = false;
  /** Refuse this many admissions more. */
  refusals = 0;
  /** Told of each admission as it is asked, before it is answered. */
  onAdmit: () => void = () => {};

  async admit(request: StoreAdmit) {
    this.admits.push(request);
    this.onAdmit();
    if (this.refuse || this.refusals > 0) {
      if (this.refusals > 0) this.refusals -= 1;
      return {
        ok: false as const,
        at: Date.now(),
        refusal: {
          limit: 'requests' as const,
          principal: request.principals[0]!.id,
          retryAfterMs: 1_000,
          resetAt: Date.now() + 1_000,
          limitValue: 1,
          remaining: 0,
        },
      };
    }
    return this.inner.admit(request);
  }

  async settle(request: StoreSettle) {
    this.settles.push(request);
    return this.inner.settle(request);
  }

  async release(request: StoreRelease) {
    this.releases.push(request);
    return this.inner.release(request);
  }

  renew = () => Promise.resolve(true);
  close = () => Promise.resolve();
}
