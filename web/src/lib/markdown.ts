// Turns an assistant's Markdown into HTML that is safe to put in the page. Three layers: raw
// HTML in the Markdown is shown as text, never interpreted; images become links, so an answer
// cannot make the browser fetch an address (and leak data in it) by itself; and DOMPurify
// removes whatever else could run script (javascript: links, handlers, frames, SVG, MathML).
// LaTeX is left as text in `data-math` elements, which KaTeX typesets after sanitizing
// (`markdown-math.ts`, `math-render.ts`).
import DOMPurify, { type Config, type DOMPurify as Purifier } from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { Marked } from 'marked';
import { mathExtension } from './markdown-math.ts';

// Only the core and a handful of common languages, to keep the bundle small; their aliases
// (js, ts, sh, html, py, yml, …) come with them.
const LANGUAGES = { bash, css, javascript, json, python, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** The highlight.js language for a fence's info string, when it is one this build knows. */
export function languageOf(info: string | undefined): string | undefined {
  const name = info?.trim().split(/\s+/, 1)[0]?.toLowerCase();
  return name && hljs.getLanguage(name) ? name : undefined;
}

const marked = new Marked({
  gfm: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    image: ({ href, text }) => `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`,
    code({ text, lang }) {
      const language = languageOf(lang);
      const body = language
        ? hljs.highlight(text, { language, ignoreIllegals: true }).value
        : escapeHtml(text);
      const label = language ?? lang?.trim().split(/\s+/, 1)[0] ?? '';
      const attribute = label ? ` data-language="${escapeHtml(label)}"` : '';
      const className = language ? `hljs language-${language}` : 'hljs';
      return `<pre${attribute}><code class="${className}">${body}</code></pre>\n`;
    },
  },
}).use(mathExtension(escapeHtml));

/** Markdown to HTML, highlighted; not yet sanitized. */
export function markdownToHtml(markdown: string): string {
  return marked.parse(markdown, { async: false });
}

const SANITIZE: Config = {
  USE_PROFILES: { html: true },
  // Nothing that looks like a control of this app, nothing that restyles the page.
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'img'],
  FORBID_ATTR: ['style', 'id', 'name'],
};

const hooked = new WeakSet<Purifier>();

/** Links open in a new tab and tell the target nothing about the page they came from. */
function hookLinks(purify: Purifier): void {
  if (hooked.has(purify)) return;
  hooked.add(purify);
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });
}

/**
 * Sanitizes HTML for the page. Where DOMPurify cannot work (no DOM), it fails closed: the HTML
 * is escaped and shows as text, instead of passing through unsanitized as DOMPurify would.
 */
export function sanitizeHtml(html: string, purify: Purifier = DOMPurify): string {
  if (!purify.isSupported) return `<pre>${escapeHtml(html)}</pre>`;
  hookLinks(purify);
  return purify.sanitize(html, SANITIZE);
}

/** An assistant's Markdown as safe, highlighted HTML. */
export function renderMarkdown(markdown: string, purify: Purifier = DOMPurify): string {
  return sanitizeHtml(markdownToHtml(markdown), purify);
}
