// The page's theme, kept in this browser so the next visit draws in it before the server has
// answered. Apart from the settings store, which saves the choice: the app applies the
// remembered theme at start, on the sign-in page too, which loads none of the signed-in stores.
import { Theme } from '@colonycraft/protocol';
import { browserStore, type KeyValueStore } from './storage.ts';

export const THEME_KEY = 'colonycraft.theme';

/** Puts `theme` on the page: `system` leaves it to the browser's preference. */
export function applyTheme(theme: Theme, store: KeyValueStore = browserStore('local')): void {
  if (typeof document === 'undefined') return;
  if (theme === 'system') {
    delete document.documentElement.dataset.theme;
    store.remove(THEME_KEY);
  } else {
    document.documentElement.dataset.theme = theme;
    store.set(THEME_KEY, theme);
  }
}

/** The theme this browser last showed, for the first paint. */
export function rememberedTheme(store: KeyValueStore = browserStore('local')): Theme {
  const parsed = Theme.safeParse(store.get(THEME_KEY));
  return parsed.success ? parsed.data : 'system';
}
