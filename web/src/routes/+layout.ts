// A single-page app: everything renders in the browser, which also holds the Firebase session.
export const ssr = false;
export const prerender = false;
