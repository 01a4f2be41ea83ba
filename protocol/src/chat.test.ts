import { describe, expect, it } from 'vitest';
import { ChatRequest, StreamEvent, describeIssues, splitModelId } from './index.js';

describe('ChatRequest', () => {
  it('when the request is well formed, then it parses unchanged', () => {
    const request = { model: 'local/echo', messages: [{ role: 'user', content: 'hi' }] };
    expect(ChatRequest.parse(request)).toEqual(request);
  });

  it('when messages are empty and the model has no provider, then both field paths are named', () => {
    const result = ChatRequest.safeParse({ model: 'GPT 4', messages: [] });
    expect(result.success).toBe(false);
    const message = describeIssues(result.error!);
    expect(message).toContain('model: must be "provider/model"');
    expect(message).toContain('messages: must hold at least one message');
  });

  it('when a message has an unknown role, then the path points at that message', () => {
    const result = ChatRequest.safeParse({
      model: 'local/echo',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'robot', content: 'b' },
      ],
    });
    expect(describeIssues(result.error!)).toMatch(/^messages\.1\.role: /);
  });
});

describe('ChatRequest.model', () => {
  it('accepts model ids and alias names alike', () => {
    for (const model of ['local/echo', 'openai/gpt-4o', 'smart', 'fast-2']) {
      expect(
        ChatRequest.safeParse({ model, messages: [{ role: 'user', content: 'x' }] }).success,
      ).toBe(true);
    }
  });
});

describe('splitModelId', () => {
  it('splits at the first slash only, so model names may hold slashes', () => {
    expect(splitModelId('compatible/meta-llama/Llama-3-8b')).toEqual({
      provider: 'compatible',
      model: 'meta-llama/Llama-3-8b',
    });
  });
});

describe('StreamEvent', () => {
  it('rejects an event of an unknown type', () => {
    expect(StreamEvent.safeParse({ type: 'banana' }).success).toBe(false);
  });
});
