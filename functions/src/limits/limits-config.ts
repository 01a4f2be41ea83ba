// What each rate tier may do: request and LLM-token buckets, streams in flight and money per
// UTC day and month. Read from the environment once per instance; every tier has defaults, and
// `RATE_TIERS` overrides them field by field. `unlimited` means no limits at all: the limiter
// answers without asking any store.
import { z } from 'zod';
import { MICRO_USD_PER_USD, RateTier } from '@colonycraft/protocol';

export interface BucketLimits {
  capacity: number;
  /** Refilled continuously: this many per minute, fractions included. */
  refillPerMinute: number;
}

/** A limited tier, with money in integer micro-USD; `undefined` budget = no budget. */
export interface TierLimits {
  requests: BucketLimits;
  tokens: BucketLimits;
  /** Streams in flight at once. */
  concurrency: number;
  dailyBudgetMicroUsd: number | undefined;
  monthlyBudgetMicroUsd: number | undefined;
}

/** `null` = unlimited. */
export type Tiers = Record<RateTier, TierLimits | null>;

export type FailureMode = 'closed' | 'open';

export interface LimitsConfig {
  tiers: Tiers;
  /** What a decision does when Redis fails: refuse (`closed`) or use the instance's own store. */
  failureMode: FailureMode;
  /** A lease a vanished instance never released frees itself after this long. */
  leaseTtlMs: number;
}

const Bucket = z.strictObject({
  capacity: z.number().int().positive(),
  refillPerMinute: z.number().positive(),
});

/** A tier as written in `RATE_TIERS`: budgets in USD, `null` budget = none. */
const TierInput = z.strictObject({
  requests: Bucket,
  tokens: Bucket,
  concurrency: z.number().int().positive(),
  dailyBudgetUsd: z.number().nonnegative().nullable(),
  monthlyBudgetUsd: z.number().nonnegative().nullable(),
});
type TierInput = z.infer<typeof TierInput>;

const TiersInput = z.partialRecord(RateTier, TierInput.partial().nullable());

export const DEFAULT_TIERS: Record<RateTier, TierInput | null> = {
  free: {
    requests: { capacity: 20, refillPerMinute: 20 },
    tokens: { capacity: 20_000, refillPerMinute: 20_000 },
    concurrency: 2,
    dailyBudgetUsd: 1,
    monthlyBudgetUsd: 10,
  },
  standard: {
    requests: { capacity: 60, refillPerMinute: 60 },
    tokens: { capacity: 200_000, refillPerMinute: 200_000 },
    concurrency: 4,
    dailyBudgetUsd: 10,
    monthlyBudgetUsd: 100,
  },
  unlimited: null,
};

/** Renewed every third of it while its call runs. */
export const DEFAULT_LEASE_TTL_MS = 30_000;

const LimitsEnv = z.object({
  RATE_LIMIT_FAILURE_MODE: z.enum(['closed', 'open']).default('closed'),
  RATE_LIMIT_LEASE_TTL_MS: z.coerce.number().int().positive().default(DEFAULT_LEASE_TTL_MS),
});

export const usdToMicro = (usd: number): number => Math.round(usd * MICRO_USD_PER_USD);

function toLimits(t: TierInput): TierLimits {
  return {
    requests: t.requests,
    tokens: t.tokens,
    concurrency: t.concurrency,
    dailyBudgetMicroUsd: t.dailyBudgetUsd === null ? undefined : usdToMicro(t.dailyBudgetUsd),
    monthlyBudgetMicroUsd: t.monthlyBudgetUsd === null ? undefined : usdToMicro(t.monthlyBudgetUsd),
  };
}

function fail(variable: string, issue: z.core.$ZodIssue | undefined): never {
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new Error(`${variable} is invalid${where}: ${issue?.message ?? 'not valid'}`);
}

/**
 * Tiers from `RATE_TIERS` (JSON) over the defaults. A tier given as `null` has no limits; a
 * tier given as an object replaces only the fields it names, and must be complete where it
 * has no default (a limited `unlimited`).
 */
export function tiersFromJson(json: string | undefined): Tiers {
  let raw: unknown = {};
  if (json !== undefined && json.trim() !== '') {
    try {
      raw = JSON.parse(json);
    } catch (error) {
      throw new Error(`RATE_TIERS is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  const given = TiersInput.safeParse(raw);
  if (!given.success) fail('RATE_TIERS', given.error.issues[0]);

  const tiers = {} as Tiers;
  for (const tier of RateTier.options) {
    const base = DEFAULT_TIERS[tier];
    const override = given.data[tier];
    if (override === null || (override === undefined && base === null)) {
      tiers[tier] = null;
      continue;
    }
    const merged = TierInput.safeParse({ ...base, ...override });
    if (!merged.success) {
      const issue = merged.error.issues[0];
      fail('RATE_TIERS', issue && { ...issue, path: [tier, ...issue.path] });
    }
    tiers[tier] = toLimits(merged.data);
  }
  return tiers;
}

export function limitsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LimitsConfig {
  const given = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('RATE_LIMIT_') && v !== ''),
  );
  const parsed = LimitsEnv.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${String(issue.path[0])} is invalid: ${issue.message}`);
  }
  return Object.freeze({
    tiers: tiersFromJson(env.RATE_TIERS),
    failureMode: parsed.data.RATE_LIMIT_FAILURE_MODE,
    leaseTtlMs: parsed.data.RATE_LIMIT_LEASE_TTL_MS,
  });
}
