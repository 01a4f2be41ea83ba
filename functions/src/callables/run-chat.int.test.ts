// runChat in-process with the local model and the Firestore emulator: a call whose client can
// take no more of the answer still ends as a call, recorded with what it produced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import type { ClientTokenClaims } from '@colonycraft/protocol';
import { startFirestoreEmulator, type FirestoreEmulator } from '@colonycraft/testing';
import { clearCatalogCache } from '../gateway/catalog-cache.js';
import { policyFromEnv } from '../gateway/policy.js';
import { providerEntry } from '../providers/registry.js';
import type { ChatChannel } from '../call/answer.js';
import { runChat } from './chat.js';

let emulator: FirestoreEmulator;
let app: App;
let db: Firestore;

beforeAll(async () => {
  emulator = await startFirestoreEmulator();
  process.env.LOCAL_PROVIDER = 'enabled';
  process.env.LOCAL_PROVIDER_CHUNK_DELAY_MS = '0';
  clearCatalogCache();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  app = initializeApp({ projectId: 'demo-colonycraft' }, `run-chat-${randomUUID()}`);
  db = getFirestore(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await emulator?.stop();
});

function claimsOf(sub: string): ClientTokenClaims {
  return { sub, role: 'member', models: ['*'], tier: 'unlimited', jti: randomUUID() };
}

describe('runChat', () => {
  it('when a chunk cannot be written to the client mid-answer, then the call is still recorded, with the text so far counted', async () => {
    const sub = `gone-${randomUUID()}`;
    const gone = new Error('write after the client went away');
    let texts = 0;
    const channel: ChatChannel = {
      signal: new AbortController().signal,
      sendChunk: async (event) => {
        if (event.type === 'text-delta' && (texts += 1) === 3) throw gone;
      },
    };
    const question = 'Tell me a long story about the colony and its many ships';

    const failed = await runChat(
      { clientToken: 't', model: 'local/echo', messages: [{ role: 'user', content: question }] },
      { claims: claimsOf(sub), checkRevocation: async () => undefined },
      channel,
      {
        entries: [providerEntry('local')],
        policy: policyFromEnv({}),
        db: () => db,
        keepConversations: true,
      },
    ).catch((error: unknown) => error);

    expect(failed).toBe(gone);
    const calls = await db.collection(`usage/${sub}/calls`).get();
    expect(calls.docs.map((d) => d.data())).toEqual([
      expect.objectContaining({
        model: 'local/echo',
        status: 'incomplete',
        estimated: true,
        inputTokens: expect.any(Number),
        outputTokens: expect.any(Number),
      }),
    ]);
    const [record] = calls.docs.map((d) => d.data());
    expect(record!.inputTokens).toBeGreaterThan(0);
    expect(record!.outputTokens).toBeGreaterThan(0);

    const conversations = await db.collection(`users/${sub}/conversations`).get();
    expect(conversations.size).toBe(1);
    const messages = await conversations.docs[0]!.ref.collection('messages').orderBy('seq').get();
    const answer = messages.docs.at(-1)!.data();
    expect(answer).toMatchObject({ role: 'assistant', complete: false, finishReason: 'error' });
    expect(answer.content).not.toBe('');
  });
});
