// The Markdown renderer (marked, highlight.js, DOMPurify, and KaTeX behind it) as a chunk of its
// own, imported when the first answer is shown: no page without an answer, the sign-in page
// above all, downloads it. One promise for the whole app, so it is fetched once.
import type MarkdownContent from './markdown-content.svelte';

let loading: Promise<typeof MarkdownContent> | undefined;

export function loadMarkdownContent(): Promise<typeof MarkdownContent> {
  loading ??= import('./markdown-content.svelte').then((module) => module.default);
  return loading;
}
