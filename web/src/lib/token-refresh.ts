// When to renew the client token, and a small refresher that keeps one valid token at hand.
// Timing is pure (clock and timers are parameters) so tests can drive it without waiting.
import type { ExchangeTokenResponse } from '@colonycraft/protocol';

/** Renew this long before the token expires, so a request never leaves with a dying token. */
export const REFRESH_LEAD_MS = 60_000;
/** A token closer than this to expiry is not handed out; a fresh one is fetched first. */
export const MIN_VALIDITY_MS = 10_000;
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 60_000;

/**
 * Milliseconds from `now` until the token should be renewed: `lead` before `expiresAt`, or
 * half-way through the remaining life when the token is too short-lived for the full lead.
 */
export function refreshDelay(expiresAt: number, now: number, lead = REFRESH_LEAD_MS): number {
  const remaining = expiresAt - now;
  if (remaining <= 0) return 0;
  const delay = remaining > 2 * lead ? remaining - lead : remaining / 2;
  return Math.floor(delay);
}

/** Whether a token may still be sent with a request. */
export function isFresh(expiresAt: number, now: number, margin = MIN_VALIDITY_MS): boolean {
  return expiresAt - now > margin;
}

/** Exponential back-off after failed exchanges: 1 s, 2 s, 4 s, … capped at `max`. */
export function retryDelay(attempt: number, base = RETRY_BASE_MS, max = RETRY_MAX_MS): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt));
}

export type RefresherState =
  | { status: 'idle' }
  | { status: 'exchanging' }
  | { status: 'ready'; token: ExchangeTokenResponse }
  | { status: 'error'; error: unknown; attempt: number };

export interface RefresherDeps {
  exchange: () => Promise<ExchangeTokenResponse>;
  onChange?: (state: RefresherState) => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface TokenRefresher {
  /** Starts (or restarts, for a new user) with an immediate exchange. */
  start(): void;
  /** Forgets the token and stops renewing (sign-out). */
  stop(): void;
  /** A token valid for at least `MIN_VALIDITY_MS`, exchanging first when needed. */
  get(): Promise<string>;
  /** Exchanges now, whatever the current token (for example after the server refused it). */
  refresh(): Promise<string>;
  state(): RefresherState;
}

export function createTokenRefresher(deps: RefresherDeps): TokenRefresher {
  const now = deps.now ?? Date.now;
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer =
    deps.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));

  let state: RefresherState = { status: 'idle' };
  let timer: unknown;
  let inFlight: Promise<string> | undefined;
  // Bumped by start/stop so an exchange begun for a previous user cannot land afterwards.
  let generation = 0;
  let failures = 0;

  const set = (next: RefresherState) => {
    state = next;
    deps.onChange?.(next);
  };

  const cancelTimer = () => {
    if (timer !== undefined) clearTimer(timer);
    timer = undefined;
  };

  const schedule = (ms: number, run: () => void) => {
    cancelTimer();
    timer = setTimer(() => {
      timer = undefined;
      run();
    }, ms);
  };

  const background = () => {
    exchangeNow().catch(() => {
      // Already reflected in the state and retried on a timer.
    });
  };

  const exchangeNow = (): Promise<string> => {
    if (inFlight) return inFlight;
    const mine = generation;
    cancelTimer();
    if (state.status !== 'ready') set({ status: 'exchanging' });
    const attempt = deps.exchange().then(
      (token) => {
        if (mine !== generation) throw new Error('The signed-in user changed.');
        failures = 0;
        set({ status: 'ready', token });
        schedule(refreshDelay(token.expiresAt, now()), background);
        return token.token;
      },
      (error: unknown) => {
        if (mine !== generation) throw error;
        set({ status: 'error', error, attempt: failures });
        schedule(retryDelay(failures), background);
        failures += 1;
        throw error;
      },
    );
    const tracked: Promise<string> = attempt.finally(() => {
      if (inFlight === tracked) inFlight = undefined;
    });
    inFlight = tracked;
    return tracked;
  };

  return {
    start() {
      generation += 1;
      inFlight = undefined;
      failures = 0;
      cancelTimer();
      set({ status: 'idle' });
      background();
    },
    stop() {
      generation += 1;
      inFlight = undefined;
      failures = 0;
      cancelTimer();
      set({ status: 'idle' });
    },
    get() {
      if (state.status === 'ready' && isFresh(state.token.expiresAt, now())) {
        return Promise.resolve(state.token.token);
      }
      return exchangeNow();
    },
    refresh() {
      return exchangeNow();
    },
    state: () => state,
  };
}
