import { describe, expect, it } from 'vitest';
import { hasSharedStore, sharedRedisUrl } from './shared-store.js';

describe('sharedRedisUrl', () => {
  it('when REDIS_URL is set, then it is the store, wherever the instance runs', () => {
    expect(sharedRedisUrl({ REDIS_URL: ' redis://r:6379 ' })).toBe('redis://r:6379');
    expect(hasSharedStore({ REDIS_URL: 'redis://r:6379' })).toBe(true);
  });

  it('when REDIS_URL is unset in the emulator, or per-instance limits are allowed, then the instance keeps its own', () => {
    expect(sharedRedisUrl({ FUNCTIONS_EMULATOR: 'true' })).toBeUndefined();
    expect(sharedRedisUrl({ ALLOW_PER_INSTANCE_LIMITS: 'true' })).toBeUndefined();
    expect(hasSharedStore({ ALLOW_PER_INSTANCE_LIMITS: 'true' })).toBe(false);
  });

  it('when REDIS_URL is unset outside the emulator and nothing allows it, then failed-precondition names both variables', () => {
    for (const env of [{}, { REDIS_URL: ' ' }, { ALLOW_PER_INSTANCE_LIMITS: '1' }]) {
      expect(() => sharedRedisUrl(env)).toThrow(
        expect.objectContaining({
          kind: 'failed-precondition',
          message: expect.stringMatching(/REDIS_URL .*ALLOW_PER_INSTANCE_LIMITS=true/),
        }),
      );
    }
  });
});
