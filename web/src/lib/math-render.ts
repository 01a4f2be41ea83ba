// Typesets the math that `markdown-math.ts` left in rendered Markdown, in the DOM, after
// sanitizing. KaTeX (and its CSS and fonts, served by the app itself) is imported the first time
// an answer holds math, so it is never part of a page without any. KaTeX builds its nodes with
// the DOM and sets their styles through CSSOM, which the Content-Security-Policy allows (inline
// style attributes it would refuse). `trust: false` refuses \href, \url and \html*.

import { lazyOnce } from './lazy.ts';

const loadKatex = lazyOnce(() =>
  Promise.all([import('katex'), import('katex/dist/katex.min.css')]).then(
    ([module]) => module.default,
  ),
);

const PENDING = '[data-math]:not([data-typeset])';

/** Typesets every math element under `root` not yet typeset; resolves once they all are. */
export async function typesetMath(root: HTMLElement): Promise<void> {
  if (!root.querySelector(PENDING)) return;
  const katex = await loadKatex();
  // Read again: streaming may have replaced the HTML while KaTeX loaded.
  for (const element of root.querySelectorAll<HTMLElement>(PENDING)) {
    const tex = element.textContent ?? '';
    element.dataset['typeset'] = '';
    element.setAttribute('title', tex);
    katex.render(tex, element, {
      displayMode: element.dataset['math'] === 'display',
      throwOnError: false,
      trust: false,
      strict: 'ignore',
      maxExpand: 500,
    });
  }
}
