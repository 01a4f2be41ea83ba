import { describe, expect, it } from 'vitest';
import { ProviderError, parseRetryAfter } from './provider.js';
import { estimateUsage } from './usage.js';

describe('ProviderError.isRetryable', () => {
  it.each([408, 409, 429, 500, 502, 503])(
    'when the upstream answered %i, then it is retryable',
    (status) => {
      expect(new ProviderError('openai', 'x', { status }).isRetryable).toBe(true);
    },
  );

  it.each([400, 401, 403, 404, 422])('when the upstream answered %i, then it is not', (status) => {
    expect(new ProviderError('openai', 'x', { status }).isRetryable).toBe(false);
  });

  it('when there was no answer at all, then it is retryable', () => {
    expect(new ProviderError('openai', 'x', { code: 'network' }).isRetryable).toBe(true);
    expect(new ProviderError('openai', 'x', { code: 'timeout' }).isRetryable).toBe(true);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores nonsense', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('estimateUsage', () => {
  it('counts with the GPT tokenizer and marks the result estimated', () => {
    const usage = estimateUsage(
      { messages: [{ role: 'user', content: 'Hello there' }] },
      'Hi! How can I help?',
    );
    expect(usage.estimated).toBe(true);
    expect(usage.inputTokens).toBe(3 + 3 + 2);
    expect(usage.outputTokens).toBeGreaterThan(4);
  });
});
