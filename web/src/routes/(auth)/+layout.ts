// The account pages are prerendered: their markup is real HTML, drawn before any script runs,
// and the app hydrates it (the root layout renders them while it starts). reset-password
// reads its link's query, so it stays a page of the SPA fallback (its own +page.ts).
export const ssr = true;
export const prerender = true;
