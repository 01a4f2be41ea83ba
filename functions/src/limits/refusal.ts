// How a limiter decision reaches the caller: a refusal becomes a `resource-exhausted` error
// that names the limit and when it resets (details = the refusal, for the web app), and every
// /v1 answer carries RateLimit-* headers (IETF draft), refusals a Retry-After as well.
import { LimitRefusal, MICRO_USD_PER_USD } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import type { Admission, RateLimitStatus } from './limiter.js';

function whose(principal: string | undefined): string {
  if (principal?.startsWith('key:')) return 'this API key';
  if (principal?.startsWith('user:')) return 'your account';
  return 'this caller';
}

export function formatUsd(microUsd: number): string {
  const usd = microUsd / MICRO_USD_PER_USD;
  return usd === 0 || usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(2)}`;
}

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/** The sentence a caller reads: which limit, whose, and when to come back. */
export function describeRefusal(refusal: LimitRefusal): string {
  const who = whose(refusal.principal);
  const retry = `try again in ${Math.max(1, seconds(refusal.retryAfterMs))} s`;
  const resets = `it resets at ${new Date(refusal.resetAt).toISOString()}`;
  switch (refusal.limit) {
    case 'requests':
      return `Request rate limit reached for ${who} (${refusal.limitValue} requests); ${retry}.`;
    case 'tokens':
      return `LLM-token rate limit reached for ${who} (${refusal.limitValue} tokens); ${retry}.`;
    case 'concurrency':
      return `Too many streams in flight for ${who} (limit ${refusal.limitValue}); ${retry}, or when one finishes.`;
    case 'daily-budget':
    case 'monthly-budget': {
      const period = refusal.limit === 'daily-budget' ? 'Daily' : 'Monthly';
      return (
        `${period} budget of ${formatUsd(refusal.limitValue)} for ${who} does not cover this ` +
        `call (${formatUsd(refusal.remaining)} left); ${resets}.`
      );
    }
  }
}

export function refusalError(refusal: LimitRefusal): GatewayError {
  return new GatewayError('resource-exhausted', describeRefusal(refusal), { ...refusal });
}

export type RateLimitHeaders = Record<string, string>;

export function refusalHeaders(refusal: LimitRefusal, now = Date.now()): RateLimitHeaders {
  return {
    'Retry-After': String(seconds(refusal.retryAfterMs)),
    'RateLimit-Limit': String(refusal.limitValue),
    'RateLimit-Remaining': String(refusal.remaining),
    'RateLimit-Reset': String(
      Math.max(seconds(refusal.resetAt - now), seconds(refusal.retryAfterMs)),
    ),
  };
}

/**
 * The headers of a `resource-exhausted` answer: the limiter's refusal with its RateLimit-*
 * headers, or a provider's own rate limit with its retry delay, when it gave one.
 */
export function exhaustedHeaders(details: unknown, now = Date.now()): RateLimitHeaders {
  const refusal = LimitRefusal.safeParse(details);
  if (refusal.success) return refusalHeaders(refusal.data, now);
  const retryAfterMs = (details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof retryAfterMs === 'number' ? { 'Retry-After': String(seconds(retryAfterMs)) } : {};
}

export function statusHeaders(status: RateLimitStatus): RateLimitHeaders {
  return {
    'RateLimit-Limit': String(status.limit),
    'RateLimit-Remaining': String(status.remaining),
    'RateLimit-Reset': String(seconds(status.resetMs)),
  };
}

/** The headers for any decision; none for a caller without limits. */
export function rateLimitHeaders(admission: Admission, now = Date.now()): RateLimitHeaders {
  if (!admission.ok) return refusalHeaders(admission.refusal, now);
  return admission.rateLimit ? statusHeaders(admission.rateLimit) : {};
}
