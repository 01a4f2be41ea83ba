// The settings callables as a client meets them: hosted the way Cloud Run hosts them, called
// with the real firebase client SDK, backed by a real Firestore emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Firestore } from 'firebase-admin/firestore';
import { SettingsResponse, type ClientTokenClaims } from '@colonycraft/protocol';
import { startCallableTestbed, type CallableTestbed } from '../dev/callable-testbed.js';
import { getSettings, saveSettings } from './settings.js';

let db: Firestore;

let bed: CallableTestbed<'getSettings' | 'saveSettings'>;

beforeAll(async () => {
  bed = await startCallableTestbed({ getSettings, saveSettings }, 'settings-test');
  db = bed.db;
});

afterAll(() => bed?.close());

const tokenFor = (uid: string, more?: Partial<ClientTokenClaims>) => bed.tokenFor(uid, more);
const call = (name: Parameters<typeof bed.call>[0], data: unknown) => bed.call(name, data);

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code?: string }) => error.code,
  );

describe('getSettings and saveSettings', () => {
  it('when nothing was saved, then the defaults come back', async () => {
    const clientToken = await tokenFor(`u-${randomUUID()}`);
    expect(SettingsResponse.parse(await call('getSettings', { clientToken }))).toEqual({
      settings: { theme: 'system', defaultSystemPrompt: '' },
    });
  });

  it('when settings are saved, then they are read back under that uid alone', async () => {
    const uid = `u-${randomUUID()}`;
    const settings = {
      theme: 'dark',
      defaultModel: 'local/echo',
      defaultSystemPrompt: 'Be brief.',
    };
    await call('saveSettings', { clientToken: await tokenFor(uid), settings });
    expect(await call('getSettings', { clientToken: await tokenFor(uid) })).toEqual({ settings });
    expect((await db.doc(`users/${uid}/settings/web`).get()).data()).toEqual(settings);
    const other = await call('getSettings', { clientToken: await tokenFor(`u-${randomUUID()}`) });
    expect(other).toEqual({ settings: { theme: 'system', defaultSystemPrompt: '' } });
  });

  it('when a field is left out on saving, then it is cleared', async () => {
    const uid = `u-${randomUUID()}`;
    const clientToken = await tokenFor(uid);
    await call('saveSettings', {
      clientToken,
      settings: { theme: 'light', defaultModel: 'local/echo', defaultSystemPrompt: '' },
    });
    await call('saveSettings', { clientToken, settings: { theme: 'light' } });
    expect(await call('getSettings', { clientToken })).toEqual({
      settings: { theme: 'light', defaultSystemPrompt: '' },
    });
    expect((await db.doc(`users/${uid}/settings/web`).get()).get('defaultModel')).toBeNull();
  });

  it('when the settings do not parse, then the call is invalid-argument and nothing is stored', async () => {
    const uid = `u-${randomUUID()}`;
    const clientToken = await tokenFor(uid);
    for (const settings of [
      { theme: 'purple' },
      { theme: 'dark', defaultModel: 'Not A Model' },
      { theme: 'dark', defaultSystemPrompt: 'x'.repeat(8_001) },
      { theme: 'dark', extra: true },
    ]) {
      await expect(codeOf(call('saveSettings', { clientToken, settings }))).resolves.toBe(
        'functions/invalid-argument',
      );
    }
    expect((await db.doc(`users/${uid}/settings/web`).get()).exists).toBe(false);
  });

  it('when the stored document no longer parses, then the defaults come back', async () => {
    const uid = `u-${randomUUID()}`;
    await db.doc(`users/${uid}/settings/web`).set({ theme: 'neon' });
    expect(await call('getSettings', { clientToken: await tokenFor(uid) })).toEqual({
      settings: { theme: 'system', defaultSystemPrompt: '' },
    });
  });

  it("when an API key's token or no token calls, then it is refused", async () => {
    const keyToken = await tokenFor(`u-${randomUUID()}`, { key: 'key-1' });
    await expect(codeOf(call('getSettings', { clientToken: keyToken }))).resolves.toBe(
      'functions/permission-denied',
    );
    await expect(
      codeOf(call('saveSettings', { clientToken: keyToken, settings: { theme: 'dark' } })),
    ).resolves.toBe('functions/permission-denied');
    await expect(codeOf(call('getSettings', {}))).resolves.toBe('functions/unauthenticated');
  });
});
