import { SetProviderKeyRequest } from '@colonycraft/protocol';
import { describe, expect, it } from 'vitest';
import {
  canOpenConsole,
  endOfDay,
  formatCost,
  graceSeconds,
  maskedKey,
  parseScopes,
  PROVIDER_KEY_GRACE_OPTIONS,
  providerKeyProblem,
  rotationSummary,
  startOfDayIso,
  testResultDetail,
} from './admin-format.ts';

describe('admin-format', () => {
  it('opens the console to admins and auditors only', () => {
    expect(canOpenConsole('admin')).toBe(true);
    expect(canOpenConsole('auditor')).toBe(true);
    expect(canOpenConsole('member')).toBe(false);
    expect(canOpenConsole(undefined)).toBe(false);
  });

  it('parses scopes from commas or spaces, without blanks or repeats', () => {
    expect(parseScopes(' * ')).toEqual(['*']);
    expect(parseScopes('local/echo, openai/gpt-4o,,local/echo openai/o3')).toEqual([
      'local/echo',
      'openai/gpt-4o',
      'openai/o3',
    ]);
    expect(parseScopes('  ')).toEqual([]);
  });

  it('turns a grace amount and unit into seconds', () => {
    expect(graceSeconds('90', 'seconds')).toBe(90);
    expect(graceSeconds('5', 'minutes')).toBe(300);
    expect(graceSeconds('0', 'minutes')).toBe(0);
    expect(graceSeconds('', 'seconds')).toBeNaN();
    expect(graceSeconds('-1', 'seconds')).toBeNaN();
    expect(graceSeconds('x', 'seconds')).toBeNaN();
    expect(graceSeconds(null, 'seconds')).toBeNaN();
    expect(graceSeconds(2, 'minutes')).toBe(120);
  });

  it('reads date inputs as local days', () => {
    expect(endOfDay('')).toBeUndefined();
    expect(endOfDay('2026-03-04')).toBe(new Date(2026, 2, 5).getTime() - 1);
    expect(startOfDayIso('2026-03-04')).toBe(new Date(2026, 2, 4).toISOString());
    expect(startOfDayIso('2026-03-04', 1)).toBe(new Date(2026, 2, 5).toISOString());
    expect(startOfDayIso('')).toBeUndefined();
  });

  it('formats costs', () => {
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(0.00123)).toBe('$0.0012');
    expect(formatCost(1.5)).toBe('$1.50');
  });
});

describe('provider keys', () => {
  const provider = {
    id: 'openai' as const,
    displayName: 'OpenAI',
    secretName: 'OPENAI_API_KEY',
    configured: true,
    keyLast4: 'wxyz',
    lastRotatedAt: 0,
    lastRotatedBy: 'admin@colonycraft.test',
    versions: [],
  };
  const rotation = (disablesVersions: string[], disableAt: number | null) => ({
    provider,
    version: '4',
    disablesVersions,
    disableAt,
  });

  it('offers immediately, 10 minutes, 1 hour (the default) and 1 day', () => {
    expect(PROVIDER_KEY_GRACE_OPTIONS.map((o) => o.seconds)).toEqual([0, 600, 3600, 86_400]);
    expect(PROVIDER_KEY_GRACE_OPTIONS[2]!.label).toContain('default');
  });

  it('checks a pasted key as the API would', () => {
    expect(providerKeyProblem('sk-0123456789')).toBeUndefined();
    expect(providerKeyProblem('')).toBe('Enter the new key.');
    expect(providerKeyProblem('sk-01 23456789')).toMatch(/no spaces/);
    expect(providerKeyProblem('sk-0123\n456789')).toMatch(/line breaks/);
    expect(providerKeyProblem('sk-1')).toMatch(/too short/);
    expect(providerKeyProblem('k'.repeat(4097))).toMatch(/too long/);
    for (const key of ['sk-0123456789', 'sk-1', 'a b c d e f', 'k'.repeat(4097)]) {
      const accepted = SetProviderKeyRequest.safeParse({ key }).success;
      expect(providerKeyProblem(key) === undefined).toBe(accepted);
    }
  });

  it('masks a key down to its last four characters', () => {
    expect(maskedKey('abcd')).toBe('…abcd');
    expect(maskedKey(null)).toBe('—');
    expect(maskedKey('')).toBe('—');
  });

  it('says what a rotation did', () => {
    expect(rotationSummary(rotation([], null))).toBe('New key saved as version 4.');
    expect(rotationSummary(rotation(['3'], 1000), 1000)).toBe(
      'New key saved as version 4. Version 3 disabled.',
    );
    expect(rotationSummary(rotation(['1', '2', '3'], null))).toBe(
      'New key saved as version 4. Versions 1, 2 and 3 disabled.',
    );
    const later = rotationSummary(rotation(['2', '3'], 5000), 1000);
    expect(later).toMatch(
      /^New key saved as version 4\. Versions 2 and 3 will be disabled at .+\.$/,
    );
  });

  it('describes a key check by status and time', () => {
    expect(testResultDetail({ ok: true, status: 200, latencyMs: 41.6, message: 'ok' })).toBe(
      'HTTP 200 · 42 ms',
    );
    expect(testResultDetail({ ok: false, status: null, latencyMs: 5000, message: 'x' })).toBe(
      'no answer · 5000 ms',
    );
  });
});
