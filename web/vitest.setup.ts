// Setup for the web project's tests. Node-environment tests (stores, modules, e2e) skip it; the
// component tests (`// @vitest-environment jsdom`) get Testing Library's per-test setup and
// cleanup, and a stand-in for the parts of <dialog> that jsdom does not implement.
import { beforeEach } from 'vitest';

if (typeof document !== 'undefined') {
  installDialog();
  const { act, cleanup, setup } = await import('@testing-library/svelte');
  // What `@testing-library/svelte/vitest` does, for these files only.
  beforeEach(async () => {
    await setup();
    return async () => {
      await act();
      cleanup();
    };
  });
}

/**
 * jsdom (31) has HTMLDialogElement without `show`, `showModal`, `close` or `returnValue`. This
 * follows the HTML standard's steps the components rely on: showing a modal dialog focuses its
 * first focusable descendant (or one with `autofocus`); Escape fires a cancelable `cancel` and
 * then closes the top modal; a `<form method="dialog">` submission closes its dialog with the
 * submitter's value; closing restores the focus and fires `close` as a queued task. There is no
 * inertness outside the dialog and no top layer.
 */
function installDialog(): void {
  const proto = HTMLDialogElement.prototype;
  if (typeof proto.showModal === 'function') return;

  const modals: HTMLDialogElement[] = [];
  const returnValues = new WeakMap<HTMLDialogElement, string>();
  const focusedBefore = new WeakMap<HTMLDialogElement, Element | null>();
  const FOCUSABLE = 'button, input, select, textarea, a[href], [tabindex]';

  function focusInside(dialog: HTMLDialogElement): void {
    const candidates = [
      ...(dialog.hasAttribute('autofocus') ? [dialog] : []),
      ...dialog.querySelectorAll<HTMLElement>('[autofocus]'),
      ...dialog.querySelectorAll<HTMLElement>(FOCUSABLE),
    ];
    for (const element of candidates) {
      element.focus();
      if (document.activeElement === element) return;
    }
    dialog.tabIndex = -1;
    dialog.focus();
  }

  Object.defineProperty(proto, 'returnValue', {
    configurable: true,
    get(this: HTMLDialogElement) {
      return returnValues.get(this) ?? '';
    },
    set(this: HTMLDialogElement, value: string) {
      returnValues.set(this, String(value));
    },
  });

  proto.show = function (this: HTMLDialogElement) {
    if (this.open) return;
    this.setAttribute('open', '');
    focusedBefore.set(this, document.activeElement);
    focusInside(this);
  };

  proto.showModal = function (this: HTMLDialogElement) {
    if (this.open && modals.includes(this)) return;
    if (this.open) throw new DOMException('The dialog is already open.', 'InvalidStateError');
    if (!this.isConnected) {
      throw new DOMException('The dialog is not connected.', 'InvalidStateError');
    }
    this.setAttribute('open', '');
    modals.push(this);
    focusedBefore.set(this, document.activeElement);
    focusInside(this);
  };

  proto.close = function (this: HTMLDialogElement, returnValue?: string) {
    if (!this.open) return;
    this.removeAttribute('open');
    if (returnValue !== undefined) this.returnValue = returnValue;
    const index = modals.indexOf(this);
    if (index >= 0) modals.splice(index, 1);
    const previous = focusedBefore.get(this);
    focusedBefore.delete(this);
    if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
    setTimeout(() => this.dispatchEvent(new Event('close')));
  };

  // The close request: after the page has seen the keydown and not cancelled it.
  window.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    // A dialog removed from the document (a test's cleanup) is no longer modal.
    for (const dialog of modals.filter((dialog) => !dialog.isConnected)) {
      modals.splice(modals.indexOf(dialog), 1);
    }
    const top = modals.at(-1);
    if (!top) return;
    if (top.dispatchEvent(new Event('cancel', { cancelable: true }))) top.close();
  });

  // Without this jsdom reports "requestSubmit: not implemented" for `method="dialog"` forms.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method !== 'dialog' || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    const dialog = form.closest('dialog');
    const submitter = event.submitter as HTMLButtonElement | HTMLInputElement | null;
    dialog?.close(submitter?.hasAttribute('value') ? submitter.value : undefined);
  });
}
