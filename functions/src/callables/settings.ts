// `getSettings` and `saveSettings`: a person's own settings (theme, default model, default
// system prompt) at `users/{uid}/settings/web`, read and written only under the uid the client
// token names. They belong to the person, not to programs: an API key's token is refused.
import { logger } from 'firebase-functions/logger';
import type { Firestore } from 'firebase-admin/firestore';
import {
  DEFAULT_SETTINGS,
  GetSettingsRequest,
  SaveSettingsRequest,
  UserSettings,
  type ClientTokenClaims,
  type SettingsResponse,
} from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import { db } from '../firebase.js';
import { defineCallable, member, type Caller } from './define-callable.js';

/** A person's own sign-in: a client token made from an API key does not reach settings. */
const settingsOwner: Caller<ClientTokenClaims> = async (request) => {
  const claims = await member(request);
  if (claims.key !== undefined) {
    throw new GatewayError('permission-denied', 'Settings belong to a person, not an API key.');
  }
  return claims;
};

const settingsDoc = (firestore: Firestore, uid: string) =>
  firestore.collection('users').doc(uid).collection('settings').doc('web');

/** The stored settings, or the defaults when none (or none that still parse) are stored. */
export async function readSettings(firestore: Firestore, uid: string): Promise<UserSettings> {
  const snapshot = await settingsDoc(firestore, uid).get();
  if (!snapshot.exists) return { ...DEFAULT_SETTINGS };
  const { defaultModel, ...rest } = snapshot.data() ?? {};
  const parsed = UserSettings.safeParse(defaultModel === null ? rest : { ...rest, defaultModel });
  if (parsed.success) return parsed.data;
  logger.warn('getSettings: stored settings do not parse; the defaults are returned', { uid });
  return { ...DEFAULT_SETTINGS };
}

export const getSettings = defineCallable({
  caller: settingsOwner,
  input: GetSettingsRequest,
  handle: async (_input, { caller: { sub: uid } }): Promise<SettingsResponse> => ({
    settings: await readSettings(db(), uid),
  }),
});

export const saveSettings = defineCallable({
  caller: settingsOwner,
  input: SaveSettingsRequest,
  handle: async ({ settings }, { caller: { sub: uid } }): Promise<SettingsResponse> => {
    // No default model is stored as null, not left out: the stack's Firestore emulator
    // merges a `set` (and ignores a field delete), so an absent field would keep the old one.
    await settingsDoc(db(), uid).set({ ...settings, defaultModel: settings.defaultModel ?? null });
    return { settings };
  },
});
