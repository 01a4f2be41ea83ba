// The app's session: loads the runtime config, initializes Firebase once, and follows the
// signed-in user (who gets a client token, their own draft and their settings, and whose
// conversation, history, models and settings are forgotten on sign-out).
import {
  checkResetCode,
  finishPasswordReset,
  registerWithPassword,
  sendPasswordReset,
  signInWithPassword,
  signOutUser,
  watchUser,
  type SessionUser,
} from '../auth.ts';
import { firebase, initFirebase } from '../firebase.ts';
import { loadRuntimeConfig } from '../runtime-config.ts';
import { chat } from './chat.svelte.ts';
import { clientToken } from './client-token.svelte.ts';
import { history } from './history.svelte.ts';
import { historySearch } from './history-search.svelte.ts';
import { models } from './models.svelte.ts';
import { applyTheme, rememberedTheme, settings } from './settings.svelte.ts';

type Phase = 'loading' | 'ready' | 'failed';

class Session {
  phase = $state<Phase>('loading');
  /** Why the app could not start. */
  failure = $state<string>();
  /** `undefined` until Firebase has reported whether someone is signed in. */
  user = $state<SessionUser | null | undefined>(undefined);
  /** True when talking to the local emulators (demo accounts exist there). */
  emulated = $state(false);
  /** The admin API's base address, from the runtime config. */
  adminApiUrl = $state<string>();
  /** The conversation to reopen after signing in again. */
  returnTo = $state<string>();
  #started = false;

  /** Starts the app once; safe to call again. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    try {
      applyTheme(rememberedTheme());
      const config = await loadRuntimeConfig();
      const services = initFirebase(config);
      this.emulated = services.emulated;
      this.adminApiUrl = config.adminApiUrl;
      clientToken.attach(services.functions);
      watchUser(services.auth, (user) => {
        if (!user) {
          settings.reset();
          chat.reset();
          history.reset();
          historySearch.reset();
          models.reset();
        }
        chat.draft.useDraftOf(user?.uid ?? null);
        clientToken.userChanged(user?.uid ?? null);
        this.user = user;
        if (user) void settings.load();
      });
      this.phase = 'ready';
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
      this.phase = 'failed';
    }
  }

  signIn(email: string, password: string): Promise<SessionUser> {
    return signInWithPassword(firebase().auth, email, password);
  }

  /** Creates an account; Firebase signs it in, so the watcher reports the new user. */
  register(email: string, password: string): Promise<SessionUser> {
    return registerWithPassword(firebase().auth, email, password);
  }

  sendPasswordReset(email: string): Promise<void> {
    return sendPasswordReset(firebase().auth, email);
  }

  /** The address a password reset link is for (refused when the link is expired or used). */
  checkResetCode(code: string): Promise<string> {
    return checkResetCode(firebase().auth, code);
  }

  /** Sets a new password with the code of a reset link, on this app's own page. */
  finishPasswordReset(code: string, password: string): Promise<void> {
    return finishPasswordReset(firebase().auth, code, password);
  }

  /** Signs out on request: the unsent draft goes too. */
  signOut(): Promise<void> {
    chat.draft.text = '';
    return signOutUser(firebase().auth);
  }

  /** Signs out an expired session so the person can sign in again; the draft stays for them. */
  signInAgain(): Promise<void> {
    return signOutUser(firebase().auth);
  }
}

export const session = new Session();
