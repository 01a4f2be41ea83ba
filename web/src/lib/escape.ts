// Escape means one thing at a time: it cancels a dialog, or a rename or edit in place, or
// closes the History drawer, and only when it did none of those does it stop an answer. Editors
// in place stop its propagation; the others rely on this check.

/** An Escape key press nothing has used yet: not inside a `<dialog>`, not already handled. */
export function unusedEscape(event: KeyboardEvent): boolean {
  // Shift+Escape is a shortcut of its own (focus the message box, shortcuts.ts).
  if (event.key !== 'Escape' || event.shiftKey || event.defaultPrevented) return false;
  // The dialog cancels on Escape by itself; a handler that prevented the default would stop it.
  return !(event.target instanceof Element && event.target.closest('dialog'));
}
