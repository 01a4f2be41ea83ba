// The provider stub's pure parts: the deterministic reply, token count, chunking, limits and
// fault parsing that tests elsewhere rely on to know what to expect.
import { describe, expect, it } from 'vitest';
import {
  countStubTokens,
  parseFault,
  parseReply,
  planReply,
  splitStubChunks,
  splitStubFragments,
  stubReply,
} from './provider-stub.js';
import { planAnswer } from './provider-stub-reply.js';

describe('stubReply and countStubTokens', () => {
  it('when given a message, then the reply quotes it after a fixed greeting', () => {
    expect(stubReply('hi there')).toBe('Hello from the stub. You said: hi there');
  });

  it('when counting, then tokens are whitespace-separated words, at least one', () => {
    expect(countStubTokens('Hello from the stub.')).toBe(4);
    expect(countStubTokens('  spaced\n\tout  words ')).toBe(3);
    expect(countStubTokens('')).toBe(1);
  });
});

describe('splitStubChunks', () => {
  it('when splitting a reply, then each word keeps the whitespace before it and the join is exact', () => {
    const text = ' two  words \n';
    const chunks = splitStubChunks(text);

    expect(chunks).toEqual([' two', '  words \n']);
    expect(chunks.join('')).toBe(text);
  });

  it('when the text has no words, then it is one chunk, or none when empty', () => {
    expect(splitStubChunks('   ')).toEqual(['   ']);
    expect(splitStubChunks('')).toEqual([]);
  });
});

describe('planReply', () => {
  it('when there are no limits, then the whole reply ends normally', () => {
    const plan = planReply('a b');

    expect(plan).toEqual({
      text: 'Hello from the stub. You said: a b',
      chunks: ['Hello', ' from', ' the', ' stub.', ' You', ' said:', ' a', ' b'],
      completionTokens: 8,
      reason: 'end',
      stopSequence: null,
    });
  });

  it('when two stop sequences match, then the earliest one cuts the reply', () => {
    const plan = planReply('x', { stop: ['said', 'stub'] });

    expect(plan).toMatchObject({ text: 'Hello from the ', reason: 'stop', stopSequence: 'stub' });
  });

  it('when max tokens is below the reply length, then it keeps that many words', () => {
    const plan = planReply('x', { maxTokens: 2, stop: ['never'] });

    expect(plan).toMatchObject({ text: 'Hello from', completionTokens: 2, reason: 'length' });
  });

  it('when max tokens covers the reply, then nothing is cut', () => {
    expect(planReply('x', { maxTokens: 100 }).reason).toBe('end');
  });
});

describe('parseFault', () => {
  it('when the fault is valid, then it comes back typed and trimmed to its fields', () => {
    expect(parseFault({ kind: 'status', status: 429, retryAfter: 1, extra: true })).toEqual({
      fault: { kind: 'status', status: 429, retryAfter: 1 },
    });
    expect(parseFault({ kind: 'cut', afterChunks: 2 })).toEqual({
      fault: { kind: 'cut', afterChunks: 2 },
    });
    expect(parseFault({ kind: 'keep-alive' })).toEqual({ fault: { kind: 'keep-alive' } });
  });

  it('when the fault is invalid, then it says why', () => {
    expect(parseFault('status')).toEqual({ error: expect.stringContaining('JSON object') });
    expect(parseFault({ kind: 'status', status: 200 })).toEqual({
      error: expect.stringContaining('400 to 599'),
    });
    expect(parseFault({ kind: 'latency', ms: -1 })).toEqual({ error: expect.any(String) });
    expect(parseFault({ kind: 'malformed', afterChunks: 1.5 })).toEqual({
      error: expect.any(String),
    });
  });
});

describe('parseReply', () => {
  it('when the reply is valid, then it comes back typed and trimmed to its fields', () => {
    const reply = {
      text: '',
      toolCalls: [{ name: 'f', arguments: '{', extra: 1 }],
      usage: { cachedInputTokens: 3 },
      toolCallsInOneChunk: true,
      extra: true,
    };

    expect(parseReply(reply)).toEqual({
      reply: {
        text: '',
        toolCalls: [{ name: 'f', arguments: '{' }],
        usage: { cachedInputTokens: 3 },
        toolCallsInOneChunk: true,
      },
    });
  });

  it('when the reply is invalid, then it says why', () => {
    expect(parseReply([])).toEqual({ error: expect.stringContaining('JSON object') });
    expect(parseReply({ toolCalls: [{ name: 'f', arguments: {} }] })).toEqual({
      error: expect.stringContaining('toolCalls[0]'),
    });
    expect(parseReply({ usage: { reasoningTokens: -1 } })).toEqual({
      error: expect.stringContaining('usage.reasoningTokens'),
    });
  });
});

describe('splitStubFragments', () => {
  it('when splitting arguments, then the fragments are a few whole code points and join exactly', () => {
    const text = '{"emoji":"🙂🙂","n":1}';
    const fragments = splitStubFragments(text);

    expect(fragments.length).toBeGreaterThan(2);
    expect(fragments.join('')).toBe(text);
    expect(fragments.every((f) => !/[\uD800-\uDBFF]$/.test(f))).toBe(true);
    expect(splitStubFragments('')).toEqual([]);
  });
});

describe('planAnswer', () => {
  const options = { lastUserMessage: 'x', idPrefix: 'call_', requestId: 'r1', reasoning: true };
  const reply = {
    text: 'Let me look.',
    reasoning: 'Think first.',
    toolCalls: [{ name: 'f', arguments: '{"a": 1}' }],
  };

  it('when a reply has tool calls, then they end the turn and count with the reasoning', () => {
    const plan = planAnswer(reply, options);

    expect(plan.reason).toBe('tool_calls');
    expect(plan.toolCalls).toEqual([
      { id: 'call_r1_0', name: 'f', arguments: '{"a": 1}', fragments: ['{"a": ', '1}'] },
    ]);
    expect(plan.reasoningTokens).toBe(2);
    expect(plan.completionTokens).toBe(3 + 2 + 2);
  });

  it('when the text is cut by the token limit, then the tool calls never come', () => {
    const plan = planAnswer(reply, { ...options, maxTokens: 2 });

    expect(plan).toMatchObject({ reason: 'length', toolCalls: [] });
  });

  it('when reasoning is off (Anthropic without thinking), then it is neither sent nor counted', () => {
    const plan = planAnswer(
      { ...reply, usage: { reasoningTokens: 9 } },
      { ...options, reasoning: false },
    );

    expect(plan).toMatchObject({ reasoning: '', reasoningTokens: 0, completionTokens: 5 });
  });
});
