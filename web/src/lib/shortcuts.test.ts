// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { keyLabel, shortcutOf } from './shortcuts.ts';

const press = (key: string, init: Partial<KeyboardEventInit> & { code?: string } = {}) =>
  new KeyboardEvent('keydown', { key, ...init });

describe('shortcutOf', () => {
  it('when Ctrl or ⌘ with Shift and O is pressed, then it asks for a new chat', () => {
    expect(shortcutOf(press('O', { code: 'KeyO', ctrlKey: true, shiftKey: true }))).toBe(
      'new-chat',
    );
    expect(shortcutOf(press('O', { code: 'KeyO', metaKey: true, shiftKey: true }))).toBe(
      'new-chat',
    );
  });

  it('when Ctrl+Shift+S is pressed on any layout, then it toggles History', () => {
    expect(shortcutOf(press('Ы', { code: 'KeyS', ctrlKey: true, shiftKey: true }))).toBe(
      'toggle-sidebar',
    );
  });

  it('when Shift+Escape is pressed, then it focuses the message box, even from a field', () => {
    const input = document.createElement('textarea');
    document.body.append(input);
    input.addEventListener('keydown', (event) => expect(shortcutOf(event)).toBe('focus-composer'));
    input.dispatchEvent(press('Escape', { shiftKey: true, bubbles: true }));
    expect(shortcutOf(press('Escape'))).toBeUndefined();
  });

  it('when ? is typed in a field, then it is a question mark; elsewhere it opens the sheet', () => {
    const field = document.createElement('input');
    const button = document.createElement('button');
    document.body.append(field, button);
    const seen: unknown[] = [];
    document.addEventListener('keydown', (event) => seen.push(shortcutOf(event)));
    field.dispatchEvent(press('?', { shiftKey: true, bubbles: true }));
    button.dispatchEvent(press('?', { shiftKey: true, bubbles: true }));
    expect(seen).toEqual([undefined, 'show-shortcuts']);
  });

  it('when Alt or a bare Ctrl is held, then nothing is a shortcut', () => {
    expect(
      shortcutOf(press('O', { code: 'KeyO', ctrlKey: true, shiftKey: true, altKey: true })),
    ).toBeUndefined();
    expect(shortcutOf(press('o', { code: 'KeyO', ctrlKey: true }))).toBeUndefined();
  });
});

describe('keyLabel', () => {
  it('names Mod ⌘ on a Mac and Ctrl elsewhere', () => {
    expect(keyLabel('Mod', true)).toBe('⌘');
    expect(keyLabel('Mod', false)).toBe('Ctrl');
    expect(keyLabel('Shift', true)).toBe('Shift');
  });
});
