// The session's side of the signed-in app: Cloud Functions (for the client token) and the
// stores that follow the user. The session imports this module only once someone is (or was)
// signed in, so the sign-in page loads none of it.
import type { SessionUser } from '../auth.ts';
import { initFunctions } from '../firebase.ts';
import { chat } from './chat.svelte.ts';
import { clientToken } from './client-token.svelte.ts';
import { history } from './history.svelte.ts';
import { historySearch } from './history-search.svelte.ts';
import { models } from './models.svelte.ts';
import { settings } from './settings.svelte.ts';

/** Initializes Cloud Functions and gives the client token its callable; once. */
export async function attach(): Promise<void> {
  const { functions } = await initFunctions();
  clientToken.attach(functions);
}

/**
 * Someone signed in or out: who signs out leaves no conversation, history, models or settings
 * behind; each person gets their own draft and client token.
 */
export function userChanged(user: SessionUser | null): void {
  if (!user) {
    settings.reset();
    chat.reset();
    history.reset();
    historySearch.reset();
    models.reset();
  }
  chat.draft.useDraftOf(user?.uid ?? null);
  clientToken.userChanged(user?.uid ?? null);
}

/** Reads the signed-in person's settings from the server. */
export function loadSettings(): void {
  void settings.load();
}

/** Signing out on request: the unsent draft goes too. */
export function forgetDraft(): void {
  chat.draft.text = '';
}
