// Where signing in leads back to: the page a signed-out person opened (a conversation's link,
// say), carried in the sign-in address as `?next=`. Only a path of this app is followed, never
// another origin, and never an account page (which would only send the person on again).
const ACCOUNT_PAGES = ['/sign-in', '/register', '/reset-password'];
const HERE = 'http://colonycraft.invalid';

/** The path to go back to after signing in, or undefined when `next` is not one of ours. */
export function returnPath(next: string | null | undefined): string | undefined {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(next, HERE);
  } catch {
    return undefined;
  }
  if (url.origin !== HERE || url.pathname === '/') return undefined;
  if (ACCOUNT_PAGES.some((p) => url.pathname === p || url.pathname.startsWith(`${p}/`))) {
    return undefined;
  }
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The sign-in address's query, leading back to `path` when it is worth going back to. */
export function signInQuery(path: string): string {
  const next = returnPath(path);
  return next ? `?next=${encodeURIComponent(next)}` : '';
}
