import { countTokens } from 'gpt-tokenizer';
import { describe, expect, it } from 'vitest';
import { boundInputTokens, countTextTokens, estimateInputTokens } from './usage.js';

const prose =
  'The gateway counts what each call used, so that budgets hold. It estimates only when a ' +
  'provider sends no count.\nA second line, with punctuation; numbers like 12345 and 3.14!\n';

describe('countTextTokens', () => {
  it('counts prose exactly as the tokenizer does whole, slices and all', () => {
    const text = prose.repeat(40);
    expect(text.length).toBeGreaterThan(4_000);
    expect(countTextTokens(text)).toBe(countTokens(text));
  });

  it('counts a run without spaces in slices: the tokenizer whole takes minutes at this size', () => {
    // 'aaaaaaaa' is one token, and a slice of 256 holds 32 of them.
    expect(countTextTokens('a'.repeat(400_000))).toBe(50_000);
  });

  it('never cuts a surrogate pair', () => {
    const emoji = '🦜'.repeat(1_000);
    expect(countTextTokens(emoji)).toBe(countTokens(emoji));
    expect(countTextTokens(`x${emoji}`)).toBeLessThanOrEqual(countTokens(`x${emoji}`) + 8);
  });
});

describe('boundInputTokens', () => {
  const texts = {
    prose: prose.repeat(10),
    code: 'function f(x) { return x.map((y) => y * 2).filter(Boolean); }\n'.repeat(20),
    json: JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ id: i, ok: true })) }),
    cjk: '大型语言模型的网关'.repeat(50),
    emoji: '🦜🚀✨'.repeat(50),
    run: 'x'.repeat(5_000),
  };

  it.each(Object.entries(texts))(
    'holds the counted input of %s under its most, and charges about a token per four bytes',
    (_, content) => {
      const request = {
        messages: [
          { role: 'system' as const, content: 'Be brief.' },
          { role: 'user' as const, content },
        ],
      };
      const bound = boundInputTokens(request);
      expect(estimateInputTokens(request)).toBeLessThanOrEqual(bound.most);
      const bytes = Buffer.byteLength('Be brief.') + Buffer.byteLength(content);
      expect(bound).toEqual({ likely: 3 + 6 + Math.ceil(bytes / 4), most: 3 + 6 + bytes });
    },
  );

  it('counts images, tool calls and schemas', () => {
    const bound = boundInputTokens({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
          ],
        },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'f', arguments: '{}' }] },
      ],
      tools: [{ name: 'f', description: 'd', parameters: { type: 'object' } }],
    });
    const tools = JSON.stringify([{ name: 'f', description: 'd', parameters: { type: 'object' } }]);
    expect(bound.most).toBe(3 + 3 + 1_600 + 3 + 'what is this?'.length + 3 + tools.length);
  });
});
