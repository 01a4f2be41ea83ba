// Rate-limit and budget refusals as a client sees them: the details of a `resource-exhausted`
// callable error and the body beside a /v1 429, so the web app can say what ran out and when.
import { z } from 'zod';

/** Which limit refused the call. */
export const LimitName = z.enum([
  'requests',
  'tokens',
  'concurrency',
  'daily-budget',
  'monthly-budget',
]);
export type LimitName = z.infer<typeof LimitName>;

export const LimitRefusal = z.object({
  limit: LimitName,
  /** Whose limit it is: `user:{uid}` or `key:{keyId}`. */
  principal: z.string().optional(),
  /** How long to wait before trying again, in milliseconds. */
  retryAfterMs: z.number().int().nonnegative(),
  /**
   * When the limit allows this call again (buckets), the latest a stream slot frees up
   * (concurrency), or the end of the UTC day / month (budgets); milliseconds since the epoch.
   */
  resetAt: z.number().int(),
  /**
   * The limit itself: bucket capacity (requests or tokens), streams in flight, or the budget
   * in micro-USD (1 USD = 1,000,000).
   */
  limitValue: z.number().nonnegative(),
  /** What is left of it, in the same unit; never negative. */
  remaining: z.number().nonnegative(),
});
export type LimitRefusal = z.infer<typeof LimitRefusal>;

/** Micro-USD per USD: budgets and costs travel as integers so they add up without drift. */
export const MICRO_USD_PER_USD = 1_000_000;
