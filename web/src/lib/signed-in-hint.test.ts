import { describe, expect, it } from 'vitest';
import { rememberSignedIn, signInFirst } from './signed-in-hint.ts';
import { memoryStore } from './storage.ts';

const at = (path: string) => {
  const url = new URL(path, 'https://colonycraft.test');
  return { pathname: url.pathname, search: url.search, hash: url.hash };
};

describe('signInFirst', () => {
  it('when nobody was signed in here, then a page for signed-in people goes to sign-in first, leading back', () => {
    const store = memoryStore();
    expect(signInFirst(at('/'), store)).toBe('/sign-in');
    expect(signInFirst(at('/c/abc?x=1#m'), store)).toBe(
      `/sign-in?next=${encodeURIComponent('/c/abc?x=1#m')}`,
    );
    expect(signInFirst(at('/admin/usage'), store)).toBe(
      `/sign-in?next=${encodeURIComponent('/admin/usage')}`,
    );
  });

  it('when the page is open to anyone, then it is shown as it is', () => {
    const store = memoryStore();
    for (const path of ['/sign-in?next=/c/a', '/register', '/reset-password?oobCode=x', '/s/abc']) {
      expect(signInFirst(at(path), store)).toBeUndefined();
    }
    // A path that only starts like an account page is not one.
    expect(signInFirst(at('/sign-inx'), store)).toBe(
      `/sign-in?next=${encodeURIComponent('/sign-inx')}`,
    );
  });

  it('when someone was signed in here, then the app starts and decides; signing out ends that', () => {
    const store = memoryStore();
    rememberSignedIn(true, store);
    expect(signInFirst(at('/c/abc'), store)).toBeUndefined();
    rememberSignedIn(false, store);
    expect(signInFirst(at('/c/abc'), store)).toBe(`/sign-in?next=${encodeURIComponent('/c/abc')}`);
  });
});
