// The app's session: loads the runtime config, initializes Firebase once, and follows the
// signed-in user (who gets a client token, their own draft and their settings, and whose
// conversation, history, models and settings are forgotten on sign-out). That side of it is
// signed-in.ts, imported once someone is signed in: the sign-in page loads Firebase Auth only.
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
import { initFirebase, initFunctions, loadFunctionsSdk } from '../firebase.ts';
import { loadRuntimeConfig } from '../runtime-config.ts';
import { applyTheme, rememberedTheme } from '../theme.ts';
import { rememberSignedIn } from '../signed-in-hint.ts';

type SignedIn = typeof import('./signed-in.ts');

type Phase = 'loading' | 'ready' | 'failed';

class Session {
  phase = $state<Phase>('loading');
  /** Why the app could not start. */
  failure = $state<string>();
  /** `undefined` until Firebase has reported whether someone is signed in. */
  user = $state<SessionUser | null | undefined>(undefined);
  /**
   * Cloud Functions is initialized, so `firebase()` answers: every page but the account pages
   * waits for it (the root layout asks for it with `loadFunctions`).
   */
  functionsReady = $state(false);
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
  /** The signed-in side, once someone has been signed in (attached to Cloud Functions). */
  #signedIn: Promise<SignedIn> | undefined;

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
      watchUser(services.auth, (user) => this.#userChanged(user));
      this.phase = 'ready';
      this.#authReady(services.auth);
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
      this.phase = 'failed';
      this.#authFailed(error);
    }
  }

  /** Initializes Cloud Functions (loading its SDK) once the app has started; safe to repeat. */
  async loadFunctions(): Promise<void> {
    // The SDK's chunk comes while the runtime config and Auth are still on their way.
    loadFunctionsSdk().catch(() => undefined);
    try {
      await this.#auth;
      await initFunctions();
      this.functionsReady = true;
    } catch (error) {
      if (this.phase === 'failed') return;
      this.failure = error instanceof Error ? error.message : String(error);
      this.phase = 'failed';
    }
  }

  #userChanged(user: SessionUser | null): void {
    rememberSignedIn(user !== null);
    // Nobody signed in, nor was: nothing to forget, and the sign-in page needs none of it.
    if (!user && !this.#signedIn) {
      this.user = null;
      return;
    }
    this.#signedIn ??= import('./signed-in.ts').then(async (signedIn) => {
      await signedIn.attach();
      return signedIn;
    });
    // Changes are applied in the order they came: each waits on the same promise.
    this.#signedIn.then(
      (signedIn) => {
        signedIn.userChanged(user);
        this.user = user;
        if (user) signedIn.loadSettings();
      },
      (error: unknown) => {
        this.#signedIn = undefined;
        this.failure = `The app could not load its pages for signed-in people: ${
          error instanceof Error ? error.message : String(error)
        }`;
        this.phase = 'failed';
      },
    );
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
  async signOut(): Promise<void> {
    (await this.#signedIn)?.forgetDraft();
    return signOutUser(await this.#auth);
  }

  /** Signs out an expired session so the person can sign in again; the draft stays for them. */
  async signInAgain(): Promise<void> {
    return signOutUser(await this.#auth);
  }
}

export const session = new Session();
