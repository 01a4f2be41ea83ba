// Vite and SvelteKit configuration. SvelteKit 3 reads its options (the adapter included) from
// the `sveltekit()` plugin here; it no longer loads `svelte.config.js`.
import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    sveltekit({
      // A single-page app: every path that is not a file falls back to index.html, which
      // Firebase Hosting's catch-all rewrite also serves.
      adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html' }),
      // The scripts half of the Content-Security-Policy, as a <meta> tag in index.html: the
      // bootstrap script SvelteKit inlines changes with every build, so only the build can
      // hash it. Everything else (connect-src, frame-ancestors, …) is the Hosting header in
      // firebase.json, which names each environment's origins; a script must satisfy both.
      // The account pages are prerendered ((auth)/+layout.ts). The runtime config app.html
      // preloads is each deployment's own file, written beside the build, so the crawler's
      // 404 for it is expected; any other is an error.
      prerender: {
        handleHttpError: ({ path, message }) => {
          if (path !== '/runtime-config.json') throw new Error(message);
        },
      },
      csp: {
        mode: 'hash',
        directives: { 'script-src': ['self'], 'object-src': ['none'], 'base-uri': ['self'] },
      },
    }),
  ],
  // Fonts (KaTeX's) stay files of their own: inlined as data: URLs, the policy's
  // `font-src 'self'` would refuse them. Other small assets inline as Vite decides.
  build: { assetsInlineLimit: (file) => (/\.(woff2?|ttf|otf)$/i.test(file) ? false : undefined) },
  // `vite dev` and `vite preview` serve this machine only: the app they serve talks to a local
  // stack, which trusts unsigned tokens.
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
