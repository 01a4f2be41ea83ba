import { describe, expect, it } from 'vitest';
import { returnPath, signInQuery } from './return-path.ts';

describe('returnPath', () => {
  it('follows a path of the app, with its query and fragment', () => {
    expect(returnPath('/c/abc123')).toBe('/c/abc123');
    expect(returnPath('/admin/audit?action=x#top')).toBe('/admin/audit?action=x#top');
  });

  it('refuses another origin, however it is written', () => {
    for (const next of [
      'https://evil.example/c/1',
      '//evil.example/c/1',
      '/\\evil.example',
      '/\t/evil.example',
      'javascript:alert(1)',
      'c/abc',
    ]) {
      expect(returnPath(next), next).toBeUndefined();
    }
  });

  it('has nothing to go back to for the chat itself, an account page or no value', () => {
    for (const next of ['/', '/sign-in', '/register?x=1', '/reset-password', '', null, undefined]) {
      expect(returnPath(next), String(next)).toBeUndefined();
    }
  });
});

describe('signInQuery', () => {
  it('carries the path as next, or nothing when there is none worth keeping', () => {
    expect(signInQuery('/c/abc')).toBe('?next=%2Fc%2Fabc');
    expect(signInQuery('/')).toBe('');
  });
});
