// What a failed chat call means for the person, and what they can do about it: wait out a rate
// limit (with a countdown), pick another model, retry after a lost connection, or sign in again.
import { z } from 'zod';
import { codeOf, describeError, isUnreachable, type UserError } from './errors.ts';

export type FailureKind =
  'rate-limited' | 'provider-down' | 'connection' | 'session' | 'rejected' | 'other';

export interface ChatFailure {
  kind: FailureKind;
  error: UserError;
  /** For `rate-limited`: when trying again may work, in milliseconds since the epoch. */
  retryAt?: number;
}

/**
 * The part of a rate-limit refusal's details this app uses (`LimitRefusal` in the protocol).
 * Parsed loosely: details from an older or newer server must not break the error path.
 */
const RefusalDetails = z.object({
  limit: z.string().optional(),
  retryAfterMs: z.number().nonnegative().optional(),
});

const LIMIT_NAMES: Readonly<Record<string, string>> = {
  'daily-budget': 'Daily budget reached',
  'monthly-budget': 'Monthly budget reached',
  concurrency: 'Too many answers at once',
};

function refusalOf(error: unknown): z.infer<typeof RefusalDetails> {
  const details = (error as { details?: unknown } | null)?.details;
  const parsed = RefusalDetails.safeParse(details);
  return parsed.success ? parsed.data : {};
}

/** A refusal's sentence without its wait: `…(20 requests); try again in 3 s.` → `…(20 requests).` */
export function withoutWait(sentence: string): string {
  return sentence.replace(/;\s*try again in [^;.]*?(?:, or when one finishes)?(?=\.?$)/, '');
}

/** Sorts an error from a chat call into what the person can do about it. */
export function classifyChatError(error: unknown, now: number): ChatFailure {
  const base = describeError(error);
  const code = codeOf(error);
  if (isUnreachable(error)) {
    return { kind: 'connection', error: { ...base, summary: 'Connection lost.' } };
  }
  switch (code) {
    case 'functions/resource-exhausted': {
      const refusal = refusalOf(error);
      const summary = (refusal.limit && LIMIT_NAMES[refusal.limit]) || 'Rate limited';
      // The headline counts down from the refusal's delay: the server's sentence keeps the
      // delay it was sent with, so its "try again in 1 s" would go on saying so at zero.
      const detail =
        refusal.retryAfterMs === undefined ? base.detail : base.detail && withoutWait(base.detail);
      return {
        kind: 'rate-limited',
        error: { ...base, summary, ...(detail ? { detail } : {}) },
        ...(refusal.retryAfterMs === undefined ? {} : { retryAt: now + refusal.retryAfterMs }),
      };
    }
    case 'functions/unavailable':
    case 'functions/deadline-exceeded':
      return {
        kind: 'provider-down',
        error: { ...base, summary: 'The model’s provider is down right now. Try another model.' },
      };
    case 'functions/unauthenticated':
      return {
        kind: 'session',
        error: {
          ...base,
          summary: 'Your session has expired. Sign in again; your message is kept.',
        },
      };
    case 'functions/invalid-argument':
    case 'functions/permission-denied':
      return { kind: 'rejected', error: base };
    default:
      return { kind: 'other', error: base };
  }
}

/** Whole seconds left until `retryAt`, rounded up so "0 s" never shows while still waiting. */
export function secondsUntil(retryAt: number, now: number): number {
  return Math.max(0, Math.ceil((retryAt - now) / 1000));
}

/** `42 s`, `2 min 5 s`, `3 h 20 min`. */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    const rest = seconds % 60;
    return `${Math.floor(seconds / 60)} min${rest ? ` ${rest} s` : ''}`;
  }
  const totalMinutes = Math.ceil(seconds / 60);
  const minutes = totalMinutes % 60;
  return `${Math.floor(totalMinutes / 60)} h${minutes ? ` ${minutes} min` : ''}`;
}

/** The headline of a failure at `now`; for a rate limit it counts down. */
export function failureHeadline(failure: ChatFailure, now: number): string {
  if (failure.kind !== 'rate-limited') return failure.error.summary;
  if (failure.retryAt === undefined) return `${failure.error.summary} — wait a moment, then retry`;
  const seconds = secondsUntil(failure.retryAt, now);
  return seconds > 0
    ? `${failure.error.summary} — try again in ${formatWait(seconds)}`
    : `${failure.error.summary} — you can try again now`;
}

/** Whether Retry should be offered yet. */
export function canRetry(failure: ChatFailure, now: number): boolean {
  if (failure.kind === 'session' || failure.kind === 'rejected') return false;
  return failure.kind !== 'rate-limited' || failure.retryAt === undefined || failure.retryAt <= now;
}
