// The chat's keyboard shortcuts, as ChatGPT and Open WebUI users know them: which key press is
// which command, and the list the shortcuts sheet shows. Pure, so the keys can be tested
// without a page; the (app) layout carries the commands out.

export type ShortcutCommand = 'new-chat' | 'focus-composer' | 'toggle-sidebar' | 'show-shortcuts';

export interface Shortcut {
  command: ShortcutCommand;
  /** The keys, one label each, as the sheet shows them (`Mod` is Ctrl, or ⌘ on a Mac). */
  keys: readonly string[];
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { command: 'new-chat', keys: ['Mod', 'Shift', 'O'], description: 'New chat' },
  { command: 'focus-composer', keys: ['Shift', 'Esc'], description: 'Focus the message box' },
  { command: 'toggle-sidebar', keys: ['Mod', 'Shift', 'S'], description: 'Show or hide History' },
  { command: 'show-shortcuts', keys: ['?'], description: 'Show these shortcuts' },
];

/** Typing goes to this element: `?` there is a question mark, not a command. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest('[contenteditable]:not([contenteditable="false"])')) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color'].includes(
    target.type,
  );
}

type KeyPress = Pick<
  KeyboardEvent,
  'key' | 'code' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey' | 'isComposing' | 'target'
>;

/**
 * The command a key press asks for, if any. Letters go by their physical key (`code`), so
 * Ctrl+Shift+O works on any keyboard layout; `?` goes by the character typed, which is where
 * the layout puts it.
 */
export function shortcutOf(event: KeyPress): ShortcutCommand | undefined {
  if (event.isComposing || event.altKey) return undefined;
  const mod = event.ctrlKey || event.metaKey;
  if (mod && event.shiftKey) {
    if (event.code === 'KeyO') return 'new-chat';
    if (event.code === 'KeyS') return 'toggle-sidebar';
    return undefined;
  }
  if (mod) return undefined;
  if (event.shiftKey && event.key === 'Escape') return 'focus-composer';
  if (event.key === '?' && !isTypingTarget(event.target)) return 'show-shortcuts';
  return undefined;
}

/** `Mod` as this platform names it. */
export function keyLabel(key: string, mac: boolean): string {
  return key === 'Mod' ? (mac ? '⌘' : 'Ctrl') : key;
}
