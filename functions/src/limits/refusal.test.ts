// Refusals as callers see them: the error's message and details, and the RateLimit headers.
import { describe, expect, it } from 'vitest';
import { LimitRefusal } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import { describeRefusal, rateLimitHeaders, refusalError } from './refusal.js';

const NOW = Date.UTC(2025, 2, 4, 12);
const budget: LimitRefusal = {
  limit: 'daily-budget',
  principal: 'user:u1',
  retryAfterMs: 12 * 3_600_000,
  resetAt: Date.UTC(2025, 2, 5),
  limitValue: 1_000_000,
  remaining: 2_500,
};

describe('refusalError', () => {
  it('when a budget refuses, then the error names it, what is left and when it resets', () => {
    const error = refusalError(budget);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.kind).toBe('resource-exhausted');
    expect(error.message).toBe(
      'Daily budget of $1.00 for your account does not cover this call ($0.0025 left); ' +
        'it resets at 2025-03-05T00:00:00.000Z.',
    );
    expect(LimitRefusal.parse(error.details)).toEqual(budget);
  });

  it('when a bucket refuses an API key, then the message says whose and how long to wait', () => {
    const refusal: LimitRefusal = {
      limit: 'requests',
      principal: 'key:k1',
      retryAfterMs: 2_001,
      resetAt: NOW + 2_001,
      limitValue: 20,
      remaining: 0,
    };
    expect(describeRefusal(refusal)).toBe(
      'Request rate limit reached for this API key (20 requests); try again in 3 s.',
    );
    expect(describeRefusal({ ...refusal, limit: 'monthly-budget', limitValue: 0 })).toMatch(
      /^Monthly budget of \$0\.00 for this API key/,
    );
  });
});

describe('rateLimitHeaders', () => {
  it('when a call is refused, then Retry-After and the reset are whole seconds, rounded up', () => {
    const refusal: LimitRefusal = {
      ...budget,
      limit: 'tokens',
      retryAfterMs: 1_200,
      resetAt: NOW + 1_200,
    };
    expect(rateLimitHeaders({ ok: false, refusal }, NOW)).toEqual({
      'Retry-After': '2',
      'RateLimit-Limit': '1000000',
      'RateLimit-Remaining': '2500',
      'RateLimit-Reset': '2',
    });
  });

  it('when a call is admitted, then the headers show the request bucket', () => {
    const lease = {
      principals: ['user:u1'],
      tier: 'free' as const,
      leaseId: 'l1',
      estimatedTokens: 0,
      estimatedCostMicroUsd: 0,
    };
    const rateLimit = { limit: 20, remaining: 19, resetMs: 3_000 };
    expect(rateLimitHeaders({ ok: true, lease, rateLimit })).toEqual({
      'RateLimit-Limit': '20',
      'RateLimit-Remaining': '19',
      'RateLimit-Reset': '3',
    });
    expect(rateLimitHeaders({ ok: true, lease, rateLimit: undefined })).toEqual({});
  });
});
