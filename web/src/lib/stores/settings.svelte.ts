// The signed-in person's settings (theme, default model, default system prompt), read from the
// server on sign-in and saved there, so they follow the person across browsers. Loading or
// saving applies them: the theme to the page (`<html data-theme>`), the default model to the
// picker, the default system prompt to new chats. The theme is also kept in this browser, so
// the next visit draws in it before the server has answered.
import { DEFAULT_SETTINGS, type UserSettings } from '@colonycraft/protocol';
import { describeError, type UserError } from '../errors.ts';
import { applyTheme } from '../theme.ts';
import { chat } from './chat.svelte.ts';
import { gateway } from './gateway.ts';
import { models } from './models.svelte.ts';

type Status = 'idle' | 'loading' | 'ready' | 'error';

class SettingsStore {
  settings = $state<UserSettings>({ ...DEFAULT_SETTINGS });
  status = $state<Status>('idle');
  error = $state<UserError>();
  #generation = 0;

  /** Reads the person's settings and applies them; a failure keeps the defaults. */
  async load(): Promise<void> {
    const generation = ++this.#generation;
    this.status = 'loading';
    this.error = undefined;
    try {
      const { settings } = await gateway.getSettings();
      if (generation !== this.#generation) return;
      this.#apply(settings);
      this.status = 'ready';
    } catch (error) {
      if (generation !== this.#generation) return;
      this.error = describeError(error);
      this.status = 'error';
    }
  }

  /** Saves `next` on the server and applies it; throws what the server refused. */
  async save(next: UserSettings): Promise<void> {
    const { settings } = await gateway.saveSettings(next);
    this.#apply(settings);
    this.status = 'ready';
  }

  /** On sign-out: the next person starts from the defaults. */
  reset(): void {
    this.#generation += 1;
    this.settings = { ...DEFAULT_SETTINGS };
    this.status = 'idle';
    this.error = undefined;
    chat.useDefaultSystemPrompt('');
    // The page only: this browser keeps the theme for the first paint of the next visit.
    if (typeof document !== 'undefined') delete document.documentElement.dataset.theme;
  }

  #apply(settings: UserSettings): void {
    this.settings = settings;
    applyTheme(settings.theme);
    models.prefer(settings.defaultModel);
    chat.useDefaultSystemPrompt(settings.defaultSystemPrompt);
  }
}

export const settings = new SettingsStore();
