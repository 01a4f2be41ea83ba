import { describe, expect, it } from 'vitest';
import { chatCallableFor } from './chat-callables.ts';

describe('chatCallableFor', () => {
  it('when the model names a known provider, then that provider’s callable serves it', () => {
    expect(chatCallableFor('local/echo')).toBe('chatLocal');
    expect(chatCallableFor('openai/gpt-4o-mini')).toBe('chatOpenai');
    expect(chatCallableFor('anthropic/claude-sonnet-4-5')).toBe('chatAnthropic');
    expect(chatCallableFor('compatible/meta-llama/Llama-3-8b')).toBe('chatCompatible');
  });

  it('when the model is an alias, then the any-model callable serves it', () => {
    expect(chatCallableFor('smart')).toBe('chat');
    expect(chatCallableFor('fast-2')).toBe('chat');
  });

  it('when the provider is unknown to this build, then the any-model callable serves it', () => {
    expect(chatCallableFor('mistral/large')).toBe('chat');
    expect(chatCallableFor('/odd')).toBe('chat');
  });
});
