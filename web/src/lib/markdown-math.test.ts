import { describe, expect, it } from 'vitest';
import { markdownToHtml } from './markdown.ts';

const inline = (tex: string) => `<span class="math math-inline" data-math="inline">${tex}</span>`;

describe('math in Markdown', () => {
  it('when an answer has $…$ or \\(…\\), then each is an inline math element holding its TeX', () => {
    expect(markdownToHtml('Energy is $E = mc^2$ here.')).toBe(
      `<p>Energy is ${inline('E = mc^2')} here.</p>\n`,
    );
    expect(markdownToHtml('Area \\(\\pi r^2\\) too')).toBe(
      `<p>Area ${inline('\\pi r^2')} too</p>\n`,
    );
  });

  it('when an answer has $$…$$ or \\[…\\] on lines of their own, then each is a display block', () => {
    const html = markdownToHtml('Sum:\n\n$$\n\\sum_{i=1}^n i = \\frac{n(n+1)}{2}\n$$\n\nDone.');
    expect(html).toContain(
      '<div class="math math-display" data-math="display">\\sum_{i=1}^n i = \\frac{n(n+1)}{2}</div>',
    );
    expect(html).toContain('<p>Done.</p>');
    expect(markdownToHtml('\\[\na^2 + b^2 = c^2\n\\]')).toBe(
      '<div class="math math-display" data-math="display">a^2 + b^2 = c^2</div>\n',
    );
  });

  it('when display math sits in a paragraph, then it is a span shown as a block', () => {
    expect(markdownToHtml('So $$x_1 * x_2$$ holds')).toBe(
      '<p>So <span class="math math-display" data-math="display">x_1 * x_2</span> holds</p>\n',
    );
  });

  it('when dollars are prices, then they stay text', () => {
    expect(markdownToHtml('It costs $5 and $10, or $ 3 $.')).toBe(
      '<p>It costs $5 and $10, or $ 3 $.</p>\n',
    );
  });

  it('when TeX holds Markdown or HTML characters, then they are TeX, escaped, not markup', () => {
    expect(markdownToHtml('$a_1 *b* <script>x</script>$')).toBe(
      `<p>${inline('a_1 *b* &lt;script&gt;x&lt;/script&gt;')}</p>\n`,
    );
  });

  it('when math is in code, then it stays code', () => {
    expect(markdownToHtml('`$x$`')).toBe('<p><code>$x$</code></p>\n');
  });

  it('renders GFM tables', () => {
    const html = markdownToHtml('| a | b |\n|---|---|\n| $x$ | 2 |');
    expect(html).toContain('<table>');
    expect(html).toContain(`<td>${inline('x')}</td>`);
  });
});
