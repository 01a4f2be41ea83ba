import { FunctionsError } from 'firebase/functions';
import { describe, expect, it } from 'vitest';
import {
  canRetry,
  classifyChatError,
  failureHeadline,
  formatWait,
  secondsUntil,
  withoutWait,
} from './chat-errors.ts';

const now = 1_700_000_000_000;

describe('classifyChatError', () => {
  it('when rate limited with retryAfterMs, then it counts down from the server’s wait', () => {
    const error = new FunctionsError('resource-exhausted', 'Too many requests', {
      limit: 'requests',
      retryAfterMs: 12_300,
      resetAt: now + 12_300,
    });
    const failure = classifyChatError(error, now);
    expect(failure).toMatchObject({ kind: 'rate-limited', retryAt: now + 12_300 });
    expect(failureHeadline(failure, now)).toBe('Rate limited — try again in 13 s');
    expect(failureHeadline(failure, now + 12_000)).toBe('Rate limited — try again in 1 s');
    expect(failureHeadline(failure, now + 12_300)).toBe('Rate limited — you can try again now');
    expect(canRetry(failure, now + 5_000)).toBe(false);
    expect(canRetry(failure, now + 12_300)).toBe(true);
  });

  it('when the countdown reaches zero, then the server’s sentence no longer says to wait', () => {
    const error = new FunctionsError(
      'resource-exhausted',
      'Too many streams in flight for your account (limit 1); try again in 1 s, or when one finishes.',
      { limit: 'concurrency', retryAfterMs: 1_000 },
    );
    const failure = classifyChatError(error, now);
    expect(failureHeadline(failure, now + 1_000)).toBe(
      'Too many answers at once — you can try again now',
    );
    expect(failure.error.detail).toBe('Too many streams in flight for your account (limit 1)');
    expect(
      withoutWait('Request rate limit reached for your account (20 requests); try again in 3 s.'),
    ).toBe('Request rate limit reached for your account (20 requests).');
    // A budget's sentence says when it resets, not how long to wait: it stays as it is.
    const budget =
      'Daily budget of $1.00 for your account does not cover this call; it resets at X.';
    expect(withoutWait(budget)).toBe(budget);
  });

  it('when a budget refuses, then the headline names it and waits in hours', () => {
    const error = new FunctionsError('resource-exhausted', 'Daily budget spent', {
      limit: 'daily-budget',
      retryAfterMs: (3 * 3600 + 19 * 60 + 30) * 1000,
    });
    expect(failureHeadline(classifyChatError(error, now), now)).toBe(
      'Daily budget reached — try again in 3 h 20 min',
    );
  });

  it('when rate limited without usable details, then it asks to wait and allows a retry', () => {
    const failure = classifyChatError(
      new FunctionsError('resource-exhausted', 'slow down', { retryAfterMs: 'soon' }),
      now,
    );
    expect(failure.retryAt).toBeUndefined();
    expect(failureHeadline(failure, now)).toBe('Rate limited — wait a moment, then retry');
    expect(canRetry(failure, now)).toBe(true);
  });

  it('when the provider is down, then the advice is another model', () => {
    const failure = classifyChatError(new FunctionsError('unavailable', 'overloaded [503]'), now);
    expect(failure.kind).toBe('provider-down');
    expect(failure.error).toMatchObject({
      summary: 'The model’s provider is down right now. Try another model.',
      detail: 'overloaded',
    });
  });

  it('when the network fails or the stream is cut, then it is a lost connection to retry', () => {
    for (const error of [new FunctionsError('internal', 'internal [0]'), new TypeError('fetch')]) {
      const failure = classifyChatError(error, now);
      expect(failure.kind).toBe('connection');
      expect(failure.error.summary).toBe('Connection lost.');
      expect(canRetry(failure, now)).toBe(true);
    }
  });

  it('when the session has expired, then it asks to sign in again and offers no plain retry', () => {
    const failure = classifyChatError(new FunctionsError('unauthenticated', 'expired'), now);
    expect(failure.kind).toBe('session');
    expect(canRetry(failure, now)).toBe(false);
  });

  it('when the request is refused as invalid, then it is rejected with the server’s words', () => {
    const failure = classifyChatError(new FunctionsError('invalid-argument', 'too long'), now);
    expect(failure).toMatchObject({ kind: 'rejected', error: { detail: 'too long' } });
  });
});

describe('countdown math', () => {
  it('rounds up to whole seconds and never goes below zero', () => {
    expect(secondsUntil(now + 1, now)).toBe(1);
    expect(secondsUntil(now + 1000, now)).toBe(1);
    expect(secondsUntil(now + 1001, now)).toBe(2);
    expect(secondsUntil(now - 5000, now)).toBe(0);
  });

  it('formats waits in seconds, minutes or hours', () => {
    expect([0, 42, 60, 125, 3600, 3660, 7199].map(formatWait)).toEqual([
      '0 s',
      '42 s',
      '1 min',
      '2 min 5 s',
      '1 h',
      '1 h 1 min',
      '2 h',
    ]);
  });
});
