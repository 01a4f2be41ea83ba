import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CHAT_CALLABLE_GROUP,
  PROVIDER_KEYS,
  PROVIDER_TABLE,
  ProviderId,
  providerInfo,
  type KeyedProviderId,
  type KnownProviderId,
} from './index.js';

const unique = (values: readonly unknown[]) => new Set(values).size === values.length;

describe('the provider table', () => {
  it('when a row is read, then its id can begin a model id and name a function in a group', () => {
    for (const { id } of PROVIDER_TABLE) expect(id).toMatch(/^[a-z][a-z0-9]*$/);
  });

  it('when rows are compared, then ids, secrets, variables, accounts and callables are unique', () => {
    const keyed = PROVIDER_KEYS;
    expect(unique(PROVIDER_TABLE.map((p) => p.id))).toBe(true);
    expect(unique(PROVIDER_TABLE.map((p) => p.callable))).toBe(true);
    expect(unique(keyed.map((p) => p.secretName))).toBe(true);
    expect(unique(keyed.map((p) => p.baseUrlVariable))).toBe(true);
    expect(unique(keyed.map((p) => p.serviceAccount))).toBe(true);
  });

  it('when a provider takes a key, then it has its own account and a wire format a key check speaks', () => {
    for (const p of PROVIDER_KEYS) {
      expect(p.serviceAccount).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]@$/);
      expect(['openai', 'anthropic']).toContain(p.wire);
    }
  });

  it('when a callable is named, then it is the group and the id', () => {
    expect(CHAT_CALLABLE_GROUP).toBe('chatBy');
    expect(providerInfo('openai').callable).toBe('chatBy-openai');
    expect(providerInfo('local').callable).toBe('chatBy-local');
  });

  it('when the keyed providers are listed, then they are the rows with a secret, in table order', () => {
    expect(PROVIDER_KEYS.map((p) => p.id)).toEqual(['openai', 'anthropic', 'compatible']);
    expect(ProviderId.options).toEqual(['openai', 'anthropic', 'compatible']);
    expect(providerInfo('local').secretName).toBeUndefined();
  });

  it('when ids are typed, then they are the table’s literals', () => {
    expectTypeOf<KnownProviderId>().toEqualTypeOf<
      'local' | 'openai' | 'anthropic' | 'compatible'
    >();
    expectTypeOf<KeyedProviderId>().toEqualTypeOf<'openai' | 'anthropic' | 'compatible'>();
    expectTypeOf<ProviderId>().toEqualTypeOf<KeyedProviderId>();
  });
});
