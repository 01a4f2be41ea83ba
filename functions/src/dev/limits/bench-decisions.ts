// Measures limiter decisions against a store (for `npm run bench`): decisions per second and
// the latency of one decision. Limits are set so high that every decision admits and takes
// the full path (both buckets, a lease, both budgets); the leases are settled afterwards,
// outside the timing, so the store is left as it was found but for keys that expire.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { LimitsConfig, TierLimits } from '../../limits/limits-config.js';
import { Limiter, type LimitStore, type Lease } from '../../limits/limiter.js';

export interface DecisionBenchmark {
  decisions: number;
  concurrency: number;
  decisionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const ROOMY: TierLimits = {
  requests: { capacity: 1e12, refillPerMinute: 1e12 },
  tokens: { capacity: 1e15, refillPerMinute: 1e15 },
  concurrency: 1e9,
  dailyBudgetMicroUsd: 1e15,
  monthlyBudgetMicroUsd: 1e15,
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** `concurrency` callers each make decisions back to back until `decisions` are made. */
export async function benchmarkDecisions(
  store: LimitStore,
  options: { decisions?: number; concurrency?: number; warmup?: number } = {},
): Promise<DecisionBenchmark> {
  const { decisions = 2_000, concurrency = 1, warmup = 50 } = options;
  const config: LimitsConfig = {
    tiers: { free: ROOMY, standard: ROOMY, unlimited: null },
    failureMode: 'closed',
    leaseTtlMs: 60_000,
  };
  const limiter = new Limiter(store, config);
  const principals = [`user:bench-${randomUUID()}`];
  const leases: Lease[] = [];
  const decide = async (): Promise<number> => {
    const started = performance.now();
    const admission = await limiter.admit({
      principals,
      tier: 'standard',
      estimatedTokens: 100,
      estimatedCostMicroUsd: 10,
    });
    const elapsed = performance.now() - started;
    if (!admission.ok) throw new Error(`benchmark decision refused: ${admission.refusal.limit}`);
    leases.push(admission.lease);
    return elapsed;
  };

  for (let i = 0; i < warmup; i++) await decide();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < decisions) latencies.push(await decide());
    }),
  );
  const totalMs = performance.now() - started;

  await Promise.all(
    leases.map((lease) => limiter.settle({ ...lease, actualTokens: 100, actualCostMicroUsd: 10 })),
  );
  latencies.sort((a, b) => a - b);
  return {
    decisions: latencies.length,
    concurrency,
    decisionsPerSecond: Math.round((latencies.length / totalMs) * 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
