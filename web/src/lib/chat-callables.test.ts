import { describe, expect, it } from 'vitest';
import { PROVIDER_TABLE } from '@colonycraft/protocol';
import { chatCallableFor } from './chat-callables.ts';

describe('chatCallableFor', () => {
  it('when the model names a known provider, then that provider’s callable serves it', () => {
    expect(chatCallableFor('local/echo')).toBe('chatBy-local');
    expect(chatCallableFor('openai/gpt-4o-mini')).toBe('chatBy-openai');
    expect(chatCallableFor('anthropic/claude-sonnet-4-5')).toBe('chatBy-anthropic');
    expect(chatCallableFor('compatible/meta-llama/Llama-3-8b')).toBe('chatBy-compatible');
  });

  it('when a provider is in the table, then its models go to the callable its row names', () => {
    for (const provider of PROVIDER_TABLE) {
      expect(chatCallableFor(`${provider.id}/some-model`)).toBe(provider.callable);
    }
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
