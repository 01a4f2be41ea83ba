// The Markdown half runs here; DOMPurify needs a real DOM, so the hostile-content check of the
// whole pipeline runs in the browser (e2e/sign-in-and-chat.e2e.test.ts).
import DOMPurify from 'dompurify';
import { describe, expect, it } from 'vitest';
import { escapeHtml, languageOf, markdownToHtml, renderMarkdown } from './markdown.ts';

describe('markdownToHtml', () => {
  it('renders Markdown: emphasis, lists, tables and links', () => {
    const html = markdownToHtml(
      '**bold** and [docs](https://example.com)\n\n- one\n- two\n\n| a |\n|---|\n| 1 |',
    );
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<a href="https://example.com">docs</a>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<table>');
  });

  it('when the Markdown holds raw HTML, then it is shown as text, never as markup', () => {
    const html = markdownToHtml(
      'Hi <script>window.__pwned = 1</script>\n\n<img src=x onerror="window.__pwned=1">\n\n<iframe src="https://evil.example"></iframe>\n\n<svg onload="alert(1)"></svg>',
    );
    expect(html).not.toMatch(/<(script|img|iframe|svg)\b/i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('&lt;img src=x onerror=');
  });

  it('when the Markdown has an image, then it becomes a link and nothing is fetched', () => {
    const html = markdownToHtml('![secret](https://evil.example/leak?q=1)');
    expect(html).not.toContain('<img');
    expect(html).toContain('<a href="https://evil.example/leak?q=1">secret</a>');
  });

  it('highlights a fenced block in a known language and labels it', () => {
    const html = markdownToHtml('```ts\nconst a: number = 1;\n```');
    expect(html).toContain('<pre data-language="ts"><code class="hljs language-ts">');
    expect(html).toContain('<span class="hljs-keyword">const</span>');
  });

  it('escapes a block in an unknown language and still labels it', () => {
    const html = markdownToHtml('```brainfuck\n<>+-\n```');
    expect(html).toContain('<pre data-language="brainfuck"><code class="hljs">&lt;&gt;+-');
  });

  it('knows the registered languages and their aliases, and nothing else', () => {
    expect(['js', 'ts', 'sh', 'html', 'py', 'yml', 'json'].map(languageOf)).not.toContain(
      undefined,
    );
    expect(languageOf('cobol')).toBeUndefined();
    expect(languageOf(undefined)).toBeUndefined();
  });
});

describe('renderMarkdown without a DOM', () => {
  it('fails closed: DOMPurify cannot run here, so everything is escaped rather than passed on', () => {
    expect(DOMPurify.isSupported).toBe(false);
    const html = renderMarkdown('[click](javascript:alert(1)) **x**');
    expect(html.startsWith('<pre>')).toBe(true);
    expect(html).not.toMatch(/<a\b/);
    expect(html).toContain(escapeHtml('<a href="javascript:alert(1)">'));
  });
});
