// Client hooks: the first of the app's own modules to run, before any page or layout loads.
//
// zod compiles object schemas with `new Function` where it may, and finds out whether it may by
// calling `Function('')` as each schema is made. The Content-Security-Policy allows no eval, so
// that probe would be a policy violation on every page load. Jitless parsing never makes it
// (and parses the same); it must be set before any schema exists, hence here.
import type { ClientInit } from '@sveltejs/kit/hooks';
import { z } from 'zod';
import { signInFirst } from '#lib/signed-in-hint.ts';

z.config({ jitless: true });

/**
 * A visitor who was never signed in here, opening a page for signed-in people, goes to the
 * sign-in page (prerendered, so drawn at once) before the app loads that page; the app does not
 * start here, as the browser is leaving (signed-in-hint.ts).
 */
export const init: ClientInit = () => {
  const to = signInFirst(location);
  if (to === undefined) return;
  location.replace(to);
  return new Promise<void>(() => {});
};
