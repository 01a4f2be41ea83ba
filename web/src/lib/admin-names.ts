// Names instead of ids in the admin console: a user by email (else display name), a key by its
// name, and an audit target (`user:<uid>`, `api_key:<id>`) in those words. The directory is
// read through the admin API's own lists, page by page, so no new endpoint is needed.
import type { ApiKeySummary, UserSummary } from '@colonycraft/protocol';
import type { AdminApi } from './admin-api.ts';

export interface Directory {
  users: Map<string, UserSummary>;
  keys: Map<string, ApiKeySummary>;
}

export const emptyDirectory = (): Directory => ({ users: new Map(), keys: new Map() });

/** Enough for a console's worth of users and keys; past that, ids show as they are. */
const MAX_PAGES = 20;

/** Every user (up to MAX_PAGES pages), keyed by uid. */
export async function loadUsers(api: AdminApi): Promise<Map<string, UserSummary>> {
  const users = new Map<string, UserSummary>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await api.listUsers(token);
    for (const user of answer.users) users.set(user.uid, user);
    if (!answer.nextPageToken) break;
    token = answer.nextPageToken;
  }
  return users;
}

/** Every key (up to MAX_PAGES pages), keyed by id. */
export async function loadKeys(api: AdminApi): Promise<Map<string, ApiKeySummary>> {
  const keys = new Map<string, ApiKeySummary>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await api.listKeys(cursor ? { cursor } : {});
    for (const key of answer.keys) keys.set(key.id, key);
    if (!answer.nextCursor) break;
    cursor = answer.nextCursor;
  }
  return keys;
}

/** A user's email, else display name, else the id itself. */
export function userLabel(user: Pick<UserSummary, 'uid' | 'email' | 'displayName'>): string {
  return user.email ?? user.displayName ?? user.uid;
}

/** An actor or owner uid as a person's name; a process (`system:…`) or unknown id as given. */
export function nameOfUser(uid: string, users: Map<string, UserSummary>): string {
  const user = users.get(uid);
  return user ? userLabel(user) : uid;
}

/** An audit target in words: `user:<uid>` → the email, `api_key:<id>` → key “name”. */
export function describeTarget(target: string, directory: Directory): string {
  const colon = target.indexOf(':');
  if (colon < 0) return target;
  const kind = target.slice(0, colon);
  const id = target.slice(colon + 1);
  if (kind === 'user' && directory.users.has(id)) return nameOfUser(id, directory.users);
  if (kind === 'api_key') {
    const key = directory.keys.get(id);
    if (key) return `key “${key.name}” (${nameOfUser(key.owner, directory.users)})`;
  }
  return target;
}

/**
 * What someone typed into a user field, as a uid: an exact email or display name (any case)
 * of a known user, else the text itself (a uid, or a process such as `system:reconciler`).
 */
export function uidFor(text: string, users: Map<string, UserSummary>): string {
  const wanted = text.trim().toLowerCase();
  if (!wanted) return '';
  for (const user of users.values()) {
    if (user.email?.toLowerCase() === wanted || user.displayName?.toLowerCase() === wanted) {
      return user.uid;
    }
  }
  return text.trim();
}

/** Users whose email or display name contains the text (any case); all of them for none. */
export function matchUsers<T extends Pick<UserSummary, 'email' | 'displayName'>>(
  users: T[],
  text: string,
): T[] {
  const wanted = text.trim().toLowerCase();
  if (!wanted) return users;
  return users.filter(
    (user) =>
      user.email?.toLowerCase().includes(wanted) ||
      user.displayName?.toLowerCase().includes(wanted),
  );
}
