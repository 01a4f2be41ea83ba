// Reads the reset link's query (`oobCode`), which a prerendered page cannot know: served by
// the SPA fallback, rendered in the browser.
export const ssr = false;
export const prerender = false;
