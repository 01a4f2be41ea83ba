// The Markdown renderer (marked, highlight.js, DOMPurify, and KaTeX behind it) as a chunk of its
// own, imported when the first answer is shown: no page without an answer, the sign-in page
// above all, downloads it. Fetched once for the whole app, and again after a failed fetch.
import { lazyOnce } from '../lazy.ts';

export const loadMarkdownContent = lazyOnce(() =>
  import('./markdown-content.svelte').then((module) => module.default),
);
