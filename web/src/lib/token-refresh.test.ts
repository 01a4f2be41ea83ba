import type { ExchangeTokenResponse } from '@colonycraft/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  REFRESH_LEAD_MS,
  createTokenRefresher,
  isFresh,
  refreshDelay,
  retryDelay,
  type RefresherState,
} from './token-refresh.ts';

const MINUTE = 60_000;

function issued(token: string, expiresAt: number): ExchangeTokenResponse {
  return {
    token,
    expiresAt,
    claims: { sub: 'u1', role: 'member', models: ['*'], tier: 'standard', jti: token },
  };
}

describe('refreshDelay', () => {
  it('when the token lives 15 minutes, then it is renewed one minute before it expires', () => {
    expect(refreshDelay(15 * MINUTE, 0)).toBe(14 * MINUTE);
  });

  it('when the token lives less than twice the lead, then it is renewed half-way', () => {
    expect(refreshDelay(90_000, 0)).toBe(45_000);
  });

  it('when the token has already expired, then it is renewed at once', () => {
    expect(refreshDelay(1_000, 5_000)).toBe(0);
  });

  it('counts from the current time, not from when the token was issued', () => {
    expect(refreshDelay(15 * MINUTE, 10 * MINUTE)).toBe(4 * MINUTE);
  });
});

describe('isFresh and retryDelay', () => {
  it('when fewer than ten seconds remain, then the token is not handed out', () => {
    expect(isFresh(100_000, 85_000)).toBe(true);
    expect(isFresh(100_000, 95_000)).toBe(false);
  });

  it('backs off exponentially and caps the wait', () => {
    expect([0, 1, 2, 3].map((n) => retryDelay(n))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelay(20)).toBe(60_000);
  });
});

describe('createTokenRefresher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('when started, then it exchanges at once and again a minute before expiry', async () => {
    let n = 0;
    const exchange = vi.fn(async () => issued(`t${(n += 1)}`, Date.now() + 15 * MINUTE));
    const refresher = createTokenRefresher({ exchange });

    refresher.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(await refresher.get()).toBe('t1');

    await vi.advanceTimersByTimeAsync(15 * MINUTE - REFRESH_LEAD_MS - 1);
    expect(exchange).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(exchange).toHaveBeenCalledTimes(2);
    expect(await refresher.get()).toBe('t2');
  });

  it('when the timer was late (a sleeping tab), then get() exchanges before answering', async () => {
    let n = 0;
    const exchange = vi.fn(async () => issued(`t${(n += 1)}`, Date.now() + 15 * MINUTE));
    const now = vi.fn(() => 0);
    const refresher = createTokenRefresher({
      exchange,
      now,
      setTimer: () => 'never-fires',
      clearTimer: () => undefined,
    });

    refresher.start();
    await vi.advanceTimersByTimeAsync(0);
    now.mockReturnValue(15 * MINUTE);

    expect(await refresher.get()).toBe('t2');
    expect(exchange).toHaveBeenCalledTimes(2);
  });

  it('when several callers ask during an exchange, then only one exchange runs', async () => {
    const exchange = vi.fn(async () => issued('t1', Date.now() + 15 * MINUTE));
    const refresher = createTokenRefresher({ exchange });

    const tokens = await Promise.all([refresher.get(), refresher.get(), refresher.refresh()]);

    expect(tokens).toEqual(['t1', 't1', 't1']);
    expect(exchange).toHaveBeenCalledTimes(1);
  });

  it('when an exchange fails, then it retries with back-off and recovers', async () => {
    const exchange = vi
      .fn<() => Promise<ExchangeTokenResponse>>()
      .mockRejectedValueOnce(new Error('offline'))
      .mockRejectedValueOnce(new Error('offline'))
      .mockImplementation(async () => issued('t1', Date.now() + 15 * MINUTE));
    const states: RefresherState['status'][] = [];
    const refresher = createTokenRefresher({ exchange, onChange: (s) => states.push(s.status) });

    refresher.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(refresher.state().status).toBe('error');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(exchange).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(exchange).toHaveBeenCalledTimes(3);
    expect(refresher.state().status).toBe('ready');
    expect(states).toEqual([
      'idle',
      'exchanging',
      'error',
      'exchanging',
      'error',
      'exchanging',
      'ready',
    ]);
  });

  it('when the user changes mid-exchange, then the old user’s token is never kept', async () => {
    let release!: (value: ExchangeTokenResponse) => void;
    const exchange = vi
      .fn<() => Promise<ExchangeTokenResponse>>()
      .mockImplementationOnce(() => new Promise((resolve) => (release = resolve)))
      .mockImplementation(async () => issued('second-user', Date.now() + 15 * MINUTE));
    const refresher = createTokenRefresher({ exchange });

    refresher.start();
    refresher.start();
    await vi.advanceTimersByTimeAsync(0);
    release(issued('first-user', Date.now() + 15 * MINUTE));
    await vi.advanceTimersByTimeAsync(0);

    expect(await refresher.get()).toBe('second-user');
  });

  it('when stopped (sign-out), then the token is forgotten and no renewal runs', async () => {
    const exchange = vi.fn(async () => issued('t1', Date.now() + 15 * MINUTE));
    const refresher = createTokenRefresher({ exchange });

    refresher.start();
    await vi.advanceTimersByTimeAsync(0);
    refresher.stop();
    await vi.advanceTimersByTimeAsync(60 * MINUTE);

    expect(refresher.state()).toEqual({ status: 'idle' });
    expect(exchange).toHaveBeenCalledTimes(1);
  });
});
