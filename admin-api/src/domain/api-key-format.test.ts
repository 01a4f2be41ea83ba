import { describe, expect, it } from 'vitest';
import { API_KEY_PATTERN } from '@colonycraft/protocol';
import { generateApiKey, hashApiKey, keyMatchesHash } from './api-key-format.js';

describe('generateApiKey', () => {
  it('when a key is made, then it is cc_, an 8-character prefix and 43 base62 characters', () => {
    for (let i = 0; i < 200; i++) {
      const { key, prefix, hash } = generateApiKey();
      expect(key).toMatch(/^cc_[0-9A-Za-z]{51}$/);
      expect(key).toMatch(API_KEY_PATTERN);
      expect(key.startsWith(prefix)).toBe(true);
      expect(prefix).toMatch(/^cc_[0-9A-Za-z]{8}$/);
      expect(hash).toBe(hashApiKey(key));
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('when many keys are made, then no two are alike', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey().key));
    expect(keys.size).toBe(1000);
  });
});

describe('keyMatchesHash', () => {
  it('when the key is the one hashed, then it matches; any other key or a malformed hash does not', () => {
    const { key, hash } = generateApiKey();
    expect(keyMatchesHash(key, hash)).toBe(true);
    expect(keyMatchesHash(generateApiKey().key, hash)).toBe(false);
    expect(keyMatchesHash(key, 'abc')).toBe(false);
  });
});
