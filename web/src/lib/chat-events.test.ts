import type { StreamEvent } from '@colonycraft/protocol';
import { describe, expect, it } from 'vitest';
import {
  applyStreamEvent,
  assistantPlaceholder,
  fromStored,
  parseChunk,
  reduceStream,
  settle,
  toHistory,
  withResult,
  type ConversationMessage,
} from './chat-events.ts';

const usage = { inputTokens: 3, outputTokens: 2, estimated: false };

describe('applyStreamEvent', () => {
  it('when text deltas arrive, then they are appended in order and the message stays streaming', () => {
    const message = reduceStream(assistantPlaceholder('a1'), [
      { type: 'text-delta', text: 'Hello ' },
      { type: 'text-delta', text: 'world' },
    ]);
    expect(message).toMatchObject({ content: 'Hello world', status: 'streaming' });
  });

  it('when usage and finish arrive, then the message is done and carries both', () => {
    const message = reduceStream(assistantPlaceholder('a1'), [
      { type: 'text-delta', text: 'Hi' },
      { type: 'usage', usage },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(message).toEqual({
      id: 'a1',
      role: 'assistant',
      content: 'Hi',
      status: 'done',
      usage,
      finishReason: 'stop',
    });
  });

  it('when the stream finishes as cancelled, then the message is stopped and keeps its text', () => {
    const message = reduceStream(assistantPlaceholder('a1'), [
      { type: 'text-delta', text: 'Par' },
      { type: 'finish', reason: 'cancelled' },
    ]);
    expect(message).toMatchObject({ content: 'Par', status: 'stopped' });
  });

  it('when an error event arrives, then the message fails with the provider’s words and code', () => {
    const events: StreamEvent[] = [
      { type: 'text-delta', text: 'Par' },
      { type: 'error', code: 'overloaded', message: 'The provider is overloaded', retryable: true },
      { type: 'finish', reason: 'stop' },
    ];
    const message = reduceStream(assistantPlaceholder('a1'), events);
    expect(message.status).toBe('error');
    expect(message.content).toBe('Par');
    expect(message.error).toEqual({
      summary: 'The model stopped with an error. Try again.',
      detail: 'The provider is overloaded',
      code: 'overloaded',
    });
  });

  it('does not change the message it is given', () => {
    const before = assistantPlaceholder('a1');
    applyStreamEvent(before, { type: 'text-delta', text: 'x' });
    expect(before.content).toBe('');
  });
});

describe('parseChunk', () => {
  it('when the chunk is a valid event, then it passes through', () => {
    expect(parseChunk({ type: 'text-delta', text: 'a' })).toEqual({
      type: 'text-delta',
      text: 'a',
    });
  });

  it('when the chunk is malformed, then it becomes an error event naming the field', () => {
    const event = parseChunk({ type: 'text-delta', text: 42 });
    expect(event).toMatchObject({ type: 'error', code: 'invalid-chunk', retryable: false });
    expect(event.type === 'error' && event.message).toContain('text');
  });
});

describe('settle and toHistory', () => {
  it('when a stream ends without finish, then the message is closed as done', () => {
    expect(settle(assistantPlaceholder('a1')).status).toBe('done');
  });

  it('sends user messages and non-empty answers, in order, without local fields', () => {
    const messages: ConversationMessage[] = [
      { id: 'u1', role: 'user', content: 'one' },
      { id: 'a1', role: 'assistant', content: 'reply', status: 'done' },
      { id: 'u2', role: 'user', content: 'two' },
      { id: 'a2', role: 'assistant', content: '', status: 'error' },
      { id: 'u3', role: 'user', content: 'three' },
    ];
    expect(toHistory(messages)).toEqual([
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'reply' },
      { role: 'user', content: 'two' },
      { role: 'user', content: 'three' },
    ]);
  });
});

describe('withResult', () => {
  const result = {
    model: 'openai/gpt-4.1',
    text: 'Hi',
    finishReason: 'stop' as const,
    usage,
    costUsd: 0.000_007,
  };

  it('when the answer ends, then it shows the model that served it and what it cost', () => {
    const live = settle(
      reduceStream(assistantPlaceholder('a1'), [{ type: 'text-delta', text: 'Hi' }]),
    );
    expect(withResult(live, result)).toMatchObject({
      status: 'done',
      model: 'openai/gpt-4.1',
      usage,
      costUsd: 0.000_007,
    });
  });

  it('when the result has no cost, then none is made up', () => {
    const { costUsd: _cost, ...without } = result;
    expect(withResult(assistantPlaceholder('a1'), without)).not.toHaveProperty('costUsd');
  });
});

describe('toHistory with a system prompt', () => {
  it('sends the system prompt first, trimmed, and leaves it out when blank', () => {
    const messages: ConversationMessage[] = [{ id: 'u1', role: 'user', content: 'one' }];
    expect(toHistory(messages, '  Be brief.  ')).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'one' },
    ]);
    expect(toHistory(messages, '   ')).toEqual([{ role: 'user', content: 'one' }]);
  });
});

describe('fromStored', () => {
  const stored = {
    id: 'a1',
    role: 'assistant' as const,
    content: 'Par',
    createdAt: 1,
    model: 'local/echo',
    usage,
    costUsd: 0.002,
    latencyMs: 40,
    finishReason: 'stop' as const,
    complete: true,
  };

  it('shows a complete stored answer as done, with its model, usage and cost', () => {
    expect(fromStored(stored)).toEqual({
      id: 'a1',
      role: 'assistant',
      content: 'Par',
      parentId: null,
      status: 'done',
      finishReason: 'stop',
      usage,
      model: 'local/echo',
      costUsd: 0.002,
    });
  });

  it('shows a cancelled answer as stopped and a failed one as an error with its reason', () => {
    expect(fromStored({ ...stored, complete: false, finishReason: 'cancelled' })).toMatchObject({
      status: 'stopped',
    });
    const failed = fromStored({
      ...stored,
      complete: false,
      finishReason: 'error',
      error: { code: 'overloaded', message: 'The provider is overloaded' },
    });
    expect(failed).toMatchObject({
      status: 'error',
      error: { detail: 'The provider is overloaded', code: 'overloaded' },
    });
  });

  it('shows a stored user message as plain text, after the message it follows', () => {
    const message = { id: 'u1', role: 'user', content: '<b>hi</b>', createdAt: 1 } as const;
    expect(fromStored({ ...message, parentId: 'a0' })).toEqual({
      id: 'u1',
      role: 'user',
      content: '<b>hi</b>',
      parentId: 'a0',
    });
    expect(fromStored(message).parentId).toBeNull();
  });
});
