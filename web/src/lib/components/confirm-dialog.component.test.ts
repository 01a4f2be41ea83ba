// @vitest-environment jsdom
import { render, screen, waitFor } from '@testing-library/svelte';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import ConfirmDialog from './confirm-dialog.svelte';

// jsdom has no <dialog> behaviour of its own: showModal's focus, Escape and `method="dialog"`
// come from the stand-in in web/vitest.setup.ts, which follows the HTML standard.
function renderDialog(props: Partial<{ open: boolean; busy: boolean }> = {}) {
  const onconfirm = vi.fn();
  const oncancel = vi.fn();
  const result = render(ConfirmDialog, {
    open: true,
    title: 'Revoke this key?',
    message: 'Apps using ck_live_abcd stop working at once.',
    confirmLabel: 'Revoke key',
    onconfirm,
    oncancel,
    ...props,
  });
  return { ...result, onconfirm, oncancel };
}

describe('ConfirmDialog', () => {
  it('shows the question in a dialog named by its title, with the focus on Cancel', () => {
    renderDialog();

    const dialog = screen.getByRole('dialog', { name: 'Revoke this key?' });
    expect(dialog.textContent).toContain('Apps using ck_live_abcd stop working at once.');
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    expect(document.activeElement).toBe(cancel);
    expect(dialog.contains(document.activeElement)).toBe(true);
  });

  it('calls onconfirm when the destructive button is pressed, and nothing else', async () => {
    const user = userEvent.setup();
    const { onconfirm, oncancel } = renderDialog();

    await user.click(screen.getByRole('button', { name: 'Revoke key' }));

    expect(onconfirm).toHaveBeenCalledOnce();
    expect(oncancel).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog')).toBeTruthy(); // the caller decides when it closes
  });

  it('cancels with the Cancel button', async () => {
    const user = userEvent.setup();
    const { onconfirm, oncancel } = renderDialog();

    await user.click(screen.getByRole('button', { name: 'Cancel' }));

    await waitFor(() => expect(oncancel).toHaveBeenCalledOnce());
    expect(onconfirm).not.toHaveBeenCalled();
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('cancels with Escape', async () => {
    const user = userEvent.setup();
    const { onconfirm, oncancel } = renderDialog();

    await user.keyboard('{Escape}');

    await waitFor(() => expect(oncancel).toHaveBeenCalledOnce());
    expect(onconfirm).not.toHaveBeenCalled();
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('opens and closes with its open prop', async () => {
    const { rerender } = renderDialog({ open: false });
    expect(screen.queryByRole('dialog')).toBeNull();

    await rerender({ open: true });
    expect(screen.getByRole('dialog', { name: 'Revoke this key?' })).toBeTruthy();

    await rerender({ open: false });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('disables both buttons while busy and shows an error it is given', async () => {
    const { rerender } = renderDialog({ busy: true });
    for (const name of ['Cancel', 'Revoke key']) {
      expect(screen.getByRole<HTMLButtonElement>('button', { name }).disabled).toBe(true);
    }

    await rerender({ busy: false, error: { summary: 'Your role does not allow that.' } });
    expect(screen.getByRole('alert').textContent).toContain('Your role does not allow that.');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Revoke key' }).disabled).toBe(
      false,
    );
  });
});
