import { describe, expect, it } from 'vitest';
import { lazyOnce } from './lazy.ts';

describe('lazyOnce', () => {
  it('when it has loaded, then every caller gets the same value from one load', async () => {
    let loads = 0;
    const get = lazyOnce(async () => ({ n: ++loads }));
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(loads).toBe(1);
  });

  it('when a load fails, then that caller sees the failure and the next caller loads again', async () => {
    let loads = 0;
    const get = lazyOnce(async () => {
      loads += 1;
      if (loads === 1) throw new Error('chunk could not be fetched');
      return 'module';
    });
    await expect(get()).rejects.toThrow('chunk could not be fetched');
    expect(await get()).toBe('module');
    expect(loads).toBe(2);
  });
});
