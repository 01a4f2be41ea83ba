// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/svelte';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import MarkdownContent from './markdown-content.svelte';

const ANSWER = [
  '# Release notes',
  'Some **bold** text and `inline code`.',
  '- first\n- second',
  '```ts\nconst answer: number = 42;\n```',
  '```\nplain block\n```',
].join('\n\n');

const HOSTILE = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=1</script>',
  '[click me](javascript:window.__pwned=1)',
  '[SHOUTING](JaVaScRiPt:window.__pwned=1)',
  '[encoded](&#106;avascript:window.__pwned=1)',
  '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '<iframe src="https://example.com/frame"></iframe>',
  '<svg onload="window.__pwned=1"><circle r="1"/></svg>',
  '![tracker](https://example.com/pixel.png?leak=secret)',
  'Inline <a href="javascript:alert(1)">raw link</a> and <button onclick="window.__pwned=1">Pay</button>',
  '<details open ontoggle="window.__pwned=1"><summary>x</summary></details>',
  '<form action="https://example.com"><input name="password"></form>',
  '```html\n<script>alert(1)</script>\n```',
].join('\n\n');

/** Elements that could run script, load a document or pose as the app's own controls. */
const FORBIDDEN_TAGS = [
  'script',
  'iframe',
  'frame',
  'object',
  'embed',
  'svg',
  'math',
  'img',
  'form',
  'input',
  'textarea',
  'select',
  'style',
  'link',
  'meta',
  'base',
  'details',
];
const URL_ATTRIBUTES = ['href', 'src', 'xlink:href', 'action', 'formaction', 'data', 'srcdoc'];

/** Every element or attribute under `root` that could run script, described. */
function scriptCapable(root: Element): string[] {
  const found: string[] = [];
  for (const element of root.querySelectorAll('*')) {
    if (FORBIDDEN_TAGS.includes(element.localName)) found.push(`<${element.localName}>`);
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith('on')) found.push(`${element.localName}[${name}]`);
      if (name === 'style') found.push(`${element.localName}[style]`);
      if (URL_ATTRIBUTES.includes(name) && !/^https?:\/\//i.test(attribute.value.trim())) {
        found.push(`${element.localName}[${name}=${attribute.value}]`);
      }
    }
  }
  return found;
}

describe('MarkdownContent', () => {
  it('renders headings, lists and emphasis as HTML', () => {
    render(MarkdownContent, { source: ANSWER });

    expect(screen.getByRole('heading', { level: 1, name: 'Release notes' })).toBeTruthy();
    const items = within(screen.getByRole('list')).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual(['first', 'second']);
    expect(screen.getByText('bold').localName).toBe('strong');
    expect(screen.getByText('inline code').localName).toBe('code');
  });

  it('highlights a fenced code block and gives every block a Copy button that copies its code', async () => {
    const user = userEvent.setup(); // also gives the page a clipboard to read back
    const { container } = render(MarkdownContent, { source: ANSWER });

    const blocks = container.querySelectorAll('pre');
    expect(blocks).toHaveLength(2);
    const [typescript, plain] = [blocks[0]!, blocks[1]!];
    expect(typescript.dataset.language).toBe('ts');
    expect(typescript.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(plain.querySelector('[class^="hljs-"]')).toBeNull();

    expect(screen.getAllByRole('button', { name: 'Copy' })).toHaveLength(2);
    await user.click(within(typescript).getByRole('button', { name: 'Copy' }));

    expect(await navigator.clipboard.readText()).toBe('const answer: number = 42;');
    expect(within(typescript).getByRole('button').textContent).toBe('Copied');
    expect(within(plain).getByRole('button').textContent).toBe('Copy');
  });

  it('keeps one Copy button per block when the answer changes', async () => {
    const { rerender } = render(MarkdownContent, { source: ANSWER });
    await rerender({ source: `${ANSWER}\n\n\`\`\`sh\nnpm test\n\`\`\`` });
    expect(screen.getAllByRole('button', { name: 'Copy' })).toHaveLength(3);
    await rerender({ source: '```json\n{"a": 1}\n```' });
    expect(screen.getAllByRole('button', { name: 'Copy' })).toHaveLength(1);
  });

  it('shows hostile HTML as text and leaves nothing in the DOM that could run script', () => {
    const { container } = render(MarkdownContent, { source: HOSTILE });

    expect(scriptCapable(container)).toEqual([]);
    // Raw HTML is shown, not interpreted.
    expect(container.textContent).toContain('<script>window.__pwned=1</script>');
    expect(container.textContent).toContain('<iframe src="https://example.com/frame"></iframe>');
    expect(container.textContent).toContain('<svg onload="window.__pwned=1">');
    // Links to script or data lose their address; the text stays, but it is no longer a link.
    for (const name of ['click me', 'SHOUTING', 'encoded', 'data']) {
      expect(screen.queryByRole('link', { name })).toBeNull();
      expect(screen.getByText(name)).toBeTruthy();
    }
    // An image becomes a link that opens in a new tab, so nothing is fetched by itself.
    const tracker = screen.getByRole('link', { name: 'tracker' });
    expect(tracker.getAttribute('href')).toBe('https://example.com/pixel.png?leak=secret');
    expect(tracker.getAttribute('target')).toBe('_blank');
    expect(tracker.getAttribute('rel')).toContain('noopener');
    // The only controls are the app's own Copy buttons (one per code block).
    expect(screen.getAllByRole('button').map((button) => button.textContent)).toEqual(['Copy']);
    expect('__pwned' in window).toBe(false);
  });
});
