// Calls while Firestore does not answer (its emulator stopped, then started again): every
// wait on it has a deadline, and calls work again once it is back. An API key's record that cannot be read is unavailable, naming Firestore. A call that keeps a conversation is refused as unavailable, naming Firestore; an
// answer that only records usage ends by the deadline without waiting for its record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import type { ClientTokenClaims } from '@colonycraft/protocol';
import { startFirestoreEmulator, type FirestoreEmulator } from '@colonycraft/testing';
import { clearCatalogCache } from '../gateway/catalog-cache.js';
import { policyFromEnv } from '../gateway/policy.js';
import { providerEntry } from '../providers/registry.js';
import { createApiKeyVerifier } from '../auth/api-keys.js';
import { runChat } from './chat.js';

const DEADLINE_MS = 500;

let emulator: FirestoreEmulator;
let app: App;
let db: Firestore;

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
  process.env.LOCAL_PROVIDER = 'enabled';
  process.env.LOCAL_PROVIDER_CHUNK_DELAY_MS = '0';
  clearCatalogCache();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  app = initializeApp({ projectId: 'demo-colonycraft' }, `firestore-faults-${randomUUID()}`);
  db = getFirestore(app);
  // One write while it is up: the client is connected before it goes away.
  await db.doc(`probe/${randomUUID()}`).set({ up: true });
  await emulator.stop();
});

afterAll(async () => {
  if (app) await deleteApp(app).catch(() => {});
  await emulator?.stop();
});

const claims = (): ClientTokenClaims => ({
  sub: `user-${randomUUID()}`,
  role: 'member',
  models: ['*'],
  tier: 'unlimited',
  jti: randomUUID(),
});

const chat = (keepConversations: boolean) =>
  runChat(
    { clientToken: 't', model: 'local/echo', messages: [{ role: 'user', content: 'hello' }] },
    { claims: claims(), checkRevocation: async () => undefined },
    { signal: new AbortController().signal, sendChunk: async () => true },
    {
      entries: [providerEntry('local')],
      policy: policyFromEnv({ GATEWAY_STORE_TIMEOUT_MS: String(DEADLINE_MS) }),
      db: () => db,
      keepConversations,
    },
  );

describe('a chat call while Firestore does not answer', () => {
  it('when it keeps a conversation, then it is refused as unavailable, naming Firestore', async () => {
    // Its client fails at once or keeps retrying, as the connection went: either is this.
    await expect(chat(true)).rejects.toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(
        new RegExp(`^Firestore (did not answer within ${DEADLINE_MS} ms|could not be reached)\\.$`),
      ),
    });
  });

  it('when it only records usage, then the answer ends by the deadline whether the write fails or waits', async () => {
    // Without the deadline, a client that keeps retrying held this answer for minutes.
    const result = await chat(false);
    expect(result.text).toContain('You said: hello');
  });
});

describe('an API key while Firestore does not answer', () => {
  it('when its record cannot be read, then the call is unavailable, naming Firestore', async () => {
    const verify = createApiKeyVerifier({ db: () => db, cacheMs: 0, deadlineMs: DEADLINE_MS });
    await expect(verify(`cc_${randomUUID().replaceAll('-', '')}`)).rejects.toMatchObject({
      kind: 'unavailable',
      message: expect.stringMatching(
        /^Firestore (did not answer within 500 ms|could not be reached)\.$/,
      ),
    });
  });
});

describe('Firestore back again', () => {
  it('when the emulator is started again, then calls keep conversations again within seconds', async () => {
    emulator = await startFirestoreEmulator(Number(emulator.host.split(':')[1]));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const outcome = await chat(true).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      if ('result' in outcome) {
        expect(outcome.result.conversationId).toEqual(expect.any(String));
        break;
      }
      if (Date.now() > deadline) throw outcome.error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
});
