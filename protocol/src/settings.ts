// A person's settings, kept on the server (`users/{uid}/settings/web`) so they follow the
// person across browsers: the theme, the model a new chat starts with and the system prompt it
// starts with. The web app reads them on sign-in and writes them from its Settings page.
import { z } from 'zod';
import { ModelRef } from './chat.js';
import { WithClientToken } from './token.js';

export const THEMES = ['system', 'light', 'dark'] as const;
export const Theme = z.enum(THEMES);
export type Theme = z.infer<typeof Theme>;

/** Longest default system prompt kept (a conversation's own prompt is not limited by it). */
export const MAX_DEFAULT_SYSTEM_PROMPT = 8_000;

export const UserSettings = z
  .object({
    theme: Theme.default('system'),
    /** A model id or alias; absent: the catalog's first offer (or the browser's last choice). */
    defaultModel: ModelRef.optional(),
    defaultSystemPrompt: z.string().max(MAX_DEFAULT_SYSTEM_PROMPT).default(''),
  })
  .strict();
export type UserSettings = z.infer<typeof UserSettings>;

/** What someone who never saved settings has. */
export const DEFAULT_SETTINGS: UserSettings = Object.freeze({
  theme: 'system',
  defaultSystemPrompt: '',
});

export const GetSettingsRequest = WithClientToken;
export type GetSettingsRequest = z.input<typeof GetSettingsRequest>;

export const SaveSettingsRequest = WithClientToken.extend({ settings: UserSettings });
export type SaveSettingsRequest = z.input<typeof SaveSettingsRequest>;

export const SettingsResponse = z.object({ settings: UserSettings });
export type SettingsResponse = z.infer<typeof SettingsResponse>;
