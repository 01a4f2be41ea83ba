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

describe('ChatRequest: tools, images, structured output', () => {
  const base = { model: 'openai/gpt-4o' };
  const issuesOf = (request: unknown) => {
    const result = ChatRequest.safeParse(request);
    return result.success ? '' : describeIssues(result.error);
  };

  it('when a tool loop is well formed, then it parses with its ids and arguments unchanged', () => {
    const request = {
      ...base,
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }],
        },
        { role: 'tool', toolCallId: 'call_1', content: '{"c":3}' },
      ],
      tools: [{ name: 'weather', parameters: { type: 'object', properties: { city: {} } } }],
      toolChoice: { name: 'weather' },
    };
    expect(ChatRequest.parse(request)).toEqual(request);
  });

  it('when a tool result answers no call, a tool choice names no tool and a name repeats, then each path is named', () => {
    const message = issuesOf({
      ...base,
      messages: [{ role: 'tool', toolCallId: 'call_9', content: 'x' }],
      tools: [
        { name: 'a', parameters: { type: 'object' } },
        { name: 'a', parameters: { type: 'object' } },
      ],
      toolChoice: { name: 'b' },
    });
    expect(message).toContain('messages.0.toolCallId: answers no tool call');
    expect(message).toContain('tools.1.name: is used twice');
    expect(message).toContain('toolChoice.name: names no tool');
  });

  it('when a schema is not an object or requires a property it lacks, then the path inside it is named', () => {
    expect(
      issuesOf({
        ...base,
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ name: 'a', parameters: { type: 'string' } }],
      }),
    ).toMatch(/^tools\.0\.parameters\.type: /);
    expect(
      issuesOf({
        ...base,
        messages: [{ role: 'user', content: 'x' }],
        responseFormat: {
          type: 'json-schema',
          name: 'answer',
          schema: { type: 'object', properties: {}, required: ['x'] },
        },
      }),
    ).toBe('responseFormat.schema.required.0: names no property');
  });

  it('when an image is not https, not base64 or not an allowed type, then the part is named', () => {
    const image = (source: unknown) => ({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'x' },
            { type: 'image', source },
          ],
        },
      ],
    });
    expect(issuesOf(image({ type: 'url', url: 'http://example.com/a.png' }))).toBe(
      'messages.0.content.1.source.url: must be an https URL',
    );
    expect(issuesOf(image({ type: 'base64', mediaType: 'image/png', data: 'not base64!' }))).toBe(
      'messages.0.content.1.source.data: must be base64 data',
    );
    expect(issuesOf(image({ type: 'base64', mediaType: 'image/tiff', data: 'AAAA' }))).toMatch(
      /^messages\.0\.content\.1\.source\.mediaType: must be one of image\/png/,
    );
    expect(issuesOf({ ...base, messages: [{ role: 'user', content: 5 }] })).toBe(
      'messages.0.content: must be text or a list of text and image parts',
    );
  });
});
