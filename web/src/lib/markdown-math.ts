// LaTeX in answers: a marked extension that finds inline math (`$…$`, `\(…\)`) and display math
// (`$$…$$`, `\[…\]`) and leaves each as an element holding its TeX as escaped text, marked
// `data-math`. KaTeX typesets those elements later, in the DOM, after sanitizing
// (`math-render.ts`): the sanitizer never sees KaTeX's markup, and an answer's TeX is only ever
// text to it. A `$` that reads as money ($5 and $10) stays a dollar sign.
import type { MarkedExtension, Tokens } from 'marked';

interface MathToken extends Tokens.Generic {
  /** A block of its own, or math within a paragraph. */
  type: 'mathDisplay' | 'mathInline';
  raw: string;
  tex: string;
  display: boolean;
}

/** `$$…$$` or `\[…\]` on lines of their own (the TeX may span lines). */
const DISPLAY_BLOCK = /^ {0,3}(\$\$|\\\[)[ \t]*\n?([\s\S]+?)\n?[ \t]*(\$\$|\\\])[ \t]*(?:\n|$)/;
/** Display math inside a paragraph. */
const DISPLAY_INLINE = /^(\$\$|\\\[)([\s\S]+?)(\$\$|\\\])/;
/** `\(…\)` on one paragraph. */
const PAREN_INLINE = /^\\\(([\s\S]+?)\\\)/;
/**
 * `$…$`: no space just inside either dollar, no digit just after the closing one, and no
 * blank line inside; so prices ($5 and $10) are not math.
 */
const DOLLAR_INLINE = /^\$(?!\s)((?:\\\$|[^$\n]|\n(?!\n))+?)(?<![\s\\])\$(?!\d)/;

const CLOSERS: Readonly<Record<string, string>> = { $$: '$$', '\\[': '\\]' };

function display(
  type: MathToken['type'],
  [raw, open, tex, close]: RegExpExecArray,
): MathToken | undefined {
  if (!open || !tex?.trim() || CLOSERS[open] !== close) return undefined;
  return { type, raw, tex: tex.trim(), display: true };
}

function element(token: MathToken, escapeHtml: (text: string) => string): string {
  const tex = escapeHtml(token.tex);
  if (token.type === 'mathDisplay') {
    return `<div class="math math-display" data-math="display">${tex}</div>\n`;
  }
  // Within a paragraph, display math is a span (a div would end the paragraph), shown as a block.
  const kind = token.display ? 'display' : 'inline';
  return `<span class="math math-${kind}" data-math="${kind}">${tex}</span>`;
}

const firstOf = (src: string, marks: readonly string[]): number | undefined => {
  const found = marks.map((mark) => src.indexOf(mark)).filter((index) => index >= 0);
  return found.length > 0 ? Math.min(...found) : undefined;
};

/** The extension; `escapeHtml` is the renderer's own, so TeX is escaped as all text is. */
export const mathExtension = (escapeHtml: (text: string) => string): MarkedExtension => ({
  extensions: [
    {
      name: 'mathDisplay',
      level: 'block',
      // Only at a line's start: a paragraph is not cut where display math sits inside it.
      start: (src) => {
        const line = /(?:^|\n) {0,3}(?:\$\$|\\\[)/.exec(src);
        return line ? line.index + (line[0].startsWith('\n') ? 1 : 0) : undefined;
      },
      tokenizer(src) {
        const match = DISPLAY_BLOCK.exec(src);
        return match ? display('mathDisplay', match) : undefined;
      },
      renderer: (token) => element(token as MathToken, escapeHtml),
    },
    {
      name: 'mathInline',
      level: 'inline',
      start: (src) => firstOf(src, ['$', '\\(', '\\[']),
      tokenizer(src) {
        const displayed = DISPLAY_INLINE.exec(src);
        if (displayed) return display('mathInline', displayed);
        const inline = PAREN_INLINE.exec(src) ?? DOLLAR_INLINE.exec(src);
        const tex = inline?.[1]?.trim();
        if (!inline || !tex) return undefined;
        return { type: 'mathInline', raw: inline[0], tex, display: false } satisfies MathToken;
      },
      renderer: (token) => element(token as MathToken, escapeHtml),
    },
  ],
});
