import { describe, expect, it } from 'vitest';
import type { ApiKeySummary, UserSummary } from '@colonycraft/protocol';
import { describeTarget, matchUsers, nameOfUser, uidFor, userLabel } from './admin-names.ts';

const user = (uid: string, email: string | null, displayName: string | null = null) =>
  ({ uid, email, displayName }) as UserSummary;
const ada = user('u1', 'ada@example.com', 'Ada');
const bob = user('u2', null, 'Bob');
const users = new Map([ada, bob].map((u) => [u.uid, u]));
const key = { id: 'k1', name: 'CI key', owner: 'u1' } as ApiKeySummary;
const directory = { users, keys: new Map([[key.id, key]]) };

describe('admin names', () => {
  it('names a user by email, else display name, else uid', () => {
    expect(userLabel(ada)).toBe('ada@example.com');
    expect(userLabel(bob)).toBe('Bob');
    expect(userLabel(user('u3', null))).toBe('u3');
  });

  it('when the uid is unknown or a process, then it shows as given', () => {
    expect(nameOfUser('u1', users)).toBe('ada@example.com');
    expect(nameOfUser('system:reconciler', users)).toBe('system:reconciler');
  });

  it('describes user and key targets in words, and leaves others as they are', () => {
    expect(describeTarget('user:u1', directory)).toBe('ada@example.com');
    expect(describeTarget('api_key:k1', directory)).toBe('key “CI key” (ada@example.com)');
    expect(describeTarget('api_key:gone', directory)).toBe('api_key:gone');
    expect(describeTarget('provider:openai', directory)).toBe('provider:openai');
  });

  it('takes an email or display name (any case) for a uid, else the text itself', () => {
    expect(uidFor(' ADA@example.com ', users)).toBe('u1');
    expect(uidFor('bob', users)).toBe('u2');
    expect(uidFor('u9', users)).toBe('u9');
    expect(uidFor('', users)).toBe('');
  });

  it('finds users by part of their email or name', () => {
    expect(matchUsers([ada, bob], 'EXAMPLE')).toEqual([ada]);
    expect(matchUsers([ada, bob], 'bo')).toEqual([bob]);
    expect(matchUsers([ada, bob], ' ')).toEqual([ada, bob]);
  });
});
