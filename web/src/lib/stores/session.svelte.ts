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
import type { Auth } from 'firebase/auth';
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
  /** Firebase Auth once the app has started: the account pages show (prerendered) before. */
  #auth: Promise<Auth>;
  #authReady!: (auth: Auth) => void;
  #authFailed!: (error: unknown) => void;

  constructor() {
    this.#auth = new Promise<Auth>((resolve, reject) => {
      this.#authReady = resolve;
      this.#authFailed = reject;
    });
    // A failed start is shown by the layout; a call waiting on it gets the same error.
    this.#auth.catch(() => undefined);
  }

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
      this.#authReady(services.auth);
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
      this.phase = 'failed';
      this.#authFailed(error);
    }
  }

  // The account pages' calls wait for the start: those pages show before it is done.

  async signIn(email: string, password: string): Promise<SessionUser> {
    return signInWithPassword(await this.#auth, email, password);
  }

  /** Creates an account; Firebase signs it in, so the watcher reports the new user. */
  async register(email: string, password: string): Promise<SessionUser> {
    return registerWithPassword(await this.#auth, email, password);
  }

  async sendPasswordReset(email: string): Promise<void> {
    return sendPasswordReset(await this.#auth, email);
  }

  /** The address a password reset link is for (refused when the link is expired or used). */
  async checkResetCode(code: string): Promise<string> {
    return checkResetCode(await this.#auth, code);
  }

  /** Sets a new password with the code of a reset link, on this app's own page. */
  async finishPasswordReset(code: string, password: string): Promise<void> {
    return finishPasswordReset(await this.#auth, code, password);
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
