// Pure helpers for the admin console's forms and tables: parsing what people type
// (scopes, grace periods, dates) and formatting what the admin API answers (times, costs).
import {
  DEFAULT_PROVIDER_KEY_GRACE_SECONDS,
  type ProviderKeyRotation,
  type ProviderKeyTestResult,
  type Role,
} from '@colonycraft/protocol';

/** Who may see the console at all. */
export function canOpenConsole(role: Role | undefined): boolean {
  return role === 'admin' || role === 'auditor';
}

/** `*` alone, or a comma- (or space-) separated list of model ids, without repeats. */
export function parseScopes(text: string): string[] {
  const scopes = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return [...new Set(scopes)];
}

export type GraceUnit = 'seconds' | 'minutes';

/** A grace period in whole seconds; NaN for a negative or non-numeric amount. */
export function graceSeconds(amount: string | number | null | undefined, unit: GraceUnit): number {
  if (amount === null || amount === undefined || String(amount).trim() === '') return NaN;
  const value = Number(amount);
  if (!Number.isFinite(value) || value < 0) return NaN;
  return Math.round(unit === 'minutes' ? value * 60 : value);
}

/**
 * The end of a date input (`YYYY-MM-DD`, local time) as ms, for an expiry that lasts the whole
 * day; undefined for an empty input.
 */
export function endOfDay(date: string): number | undefined {
  if (!date) return undefined;
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return undefined;
  return new Date(y, m - 1, d + 1).getTime() - 1;
}

/** The start of a date input (local time) as ISO 8601, for the audit filters. */
export function startOfDayIso(date: string, addDays = 0): string | undefined {
  if (!date) return undefined;
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return undefined;
  return new Date(y, m - 1, d + addDays).toISOString();
}

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatCost(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatTokens(count: number): string {
  return count.toLocaleString('en-US');
}

// ---- provider keys

/** The choices for how long a replaced provider key stays enabled (to roll back to). */
export const PROVIDER_KEY_GRACE_OPTIONS: readonly { seconds: number; label: string }[] = [
  { seconds: 0, label: 'Immediately' },
  { seconds: 10 * 60, label: 'After 10 minutes' },
  { seconds: DEFAULT_PROVIDER_KEY_GRACE_SECONDS, label: 'After 1 hour (default)' },
  { seconds: 24 * 60 * 60, label: 'After 1 day' },
];

/**
 * Why a pasted provider key would be refused (the rules of `SetProviderKeyRequest`), or
 * undefined when it looks fine. Takes the key as sent, already trimmed.
 */
export function providerKeyProblem(key: string): string | undefined {
  if (key === '') return 'Enter the new key.';
  if (/\s/.test(key)) return 'A key has no spaces or line breaks. Check what was pasted.';
  if (key.length < 8) return 'That is too short to be a provider key.';
  if (key.length > 4096) return 'That is too long to be a provider key.';
  return undefined;
}

/** `…abcd` for a key's last four characters; `—` when none are known. */
export function maskedKey(last4: string | null | undefined): string {
  return last4 ? `…${last4}` : '—';
}

/** `1`, `1 and 2`, `1, 2 and 3`. */
function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

/** What a rotation did, in one or two sentences; `now` decides "disabled" or "will be". */
export function rotationSummary(rotation: ProviderKeyRotation, now = Date.now()): string {
  const saved = `New key saved as version ${rotation.version}.`;
  const old = rotation.disablesVersions;
  if (old.length === 0) return saved;
  const noun = old.length === 1 ? 'Version' : 'Versions';
  if (rotation.disableAt === null || rotation.disableAt <= now) {
    return `${saved} ${noun} ${listOf(old)} disabled.`;
  }
  return `${saved} ${noun} ${listOf(old)} will be disabled at ${formatTime(rotation.disableAt)}.`;
}

/** A key check's numbers: the provider's HTTP status (or that it gave none) and the time. */
export function testResultDetail(result: ProviderKeyTestResult): string {
  const status = result.status === null ? 'no answer' : `HTTP ${result.status}`;
  return `${status} · ${Math.round(result.latencyMs)} ms`;
}
