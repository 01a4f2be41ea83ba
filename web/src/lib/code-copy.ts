// Adds a "Copy" button to every code block of rendered Markdown. The buttons are made here, in
// the DOM, after sanitizing, so the sanitizer can refuse every button an answer might carry.

const COPIED_MS = 1500;

export async function writeClipboard(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) return navigator.clipboard.writeText(text);
  // Pages served over plain http (not localhost) have no Clipboard API.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (!copied) throw new Error('copy refused');
}

function copyButton(code: HTMLElement): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'code-copy';
  button.textContent = 'Copy';
  button.addEventListener('click', async () => {
    try {
      await writeClipboard(code.textContent ?? '');
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed';
    }
    setTimeout(() => (button.textContent = 'Copy'), COPIED_MS);
  });
  return button;
}

/** Gives each `pre > code` under `root` one Copy button; safe to call after every render. */
export function addCopyButtons(root: HTMLElement): void {
  for (const pre of root.querySelectorAll('pre')) {
    const code = pre.querySelector('code');
    if (!code || pre.querySelector(':scope > .code-copy')) continue;
    // Inside the <pre>, so the button leaves with its block when the answer re-renders.
    pre.prepend(copyButton(code));
  }
}
