// A hint, kept in this browser, that someone is signed in here. Without it, a page for
// signed-in people sends the visitor to sign in as the app starts (hooks.client.ts), instead of
// after the app and Firebase Auth have loaded and read the stored session: a first visit to `/`
// then shows the sign-in form (a prerendered page) as soon as it can. It is only a hint: the
// (app) layout still guards every page, and the sign-in page sends a signed-in person on.
import { signInQuery } from './return-path.ts';
import { browserStore, type KeyValueStore } from './storage.ts';

export const SIGNED_IN_KEY = 'colonycraft.signedIn';

/** Pages anyone may open: the account pages and shared conversations. */
const OPEN_PAGES = ['/sign-in', '/register', '/reset-password', '/s/'];

/** Notes whether someone is signed in here, as Firebase Auth reports it. */
export function rememberSignedIn(
  signedIn: boolean,
  store: KeyValueStore = browserStore('local'),
): void {
  if (signedIn) store.set(SIGNED_IN_KEY, '1');
  else store.remove(SIGNED_IN_KEY);
}

/**
 * Where a visitor opening `url` goes before the app starts: the sign-in page (leading back
 * here) when the page is for signed-in people and nobody was signed in here; else nowhere.
 */
export function signInFirst(
  url: { pathname: string; search: string; hash: string },
  store: KeyValueStore = browserStore('local'),
): string | undefined {
  if (store.get(SIGNED_IN_KEY) !== null) return undefined;
  const { pathname } = url;
  const open = OPEN_PAGES.some((p) =>
    p.endsWith('/') ? pathname.startsWith(p) : pathname === p || pathname.startsWith(`${p}/`),
  );
  if (open) return undefined;
  return `/sign-in${signInQuery(`${pathname}${url.search}${url.hash}`)}`;
}
