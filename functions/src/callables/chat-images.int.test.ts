// A question's images kept with its conversation: runChat in-process with the local vision
// model and the Firestore emulator. The images are stored one document each beside the
// message, returned when the conversation is read, gone when their turn is replaced or the
// conversation deleted; too many or too large are refused before anything is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import {
  MAX_STORED_IMAGE_BYTES,
  type ClientTokenClaims,
  type ContentPart,
} from '@colonycraft/protocol';
import { greyPng, startFirestoreEmulator, type FirestoreEmulator } from '@colonycraft/testing';
import type { ChatChannel } from '../call/answer.js';
import {
  deleteConversation,
  deleteTurn,
  getConversation,
} from '../conversations/conversation-store.js';
import { clearCatalogCache } from '../gateway/catalog-cache.js';
import { policyFromEnv } from '../gateway/policy.js';
import { providerEntry } from '../providers/registry.js';
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
  app = initializeApp({ projectId: 'demo-colonycraft' }, `chat-images-${randomUUID()}`);
  db = getFirestore(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await emulator?.stop();
});

const png = (width: number, height: number) => greyPng(width, height).toString('base64');

const image = (data: string, mediaType = 'image/png' as const): ContentPart => ({
  type: 'image',
  source: { type: 'base64', mediaType, data },
});

const channel: ChatChannel = {
  signal: new AbortController().signal,
  sendChunk: async () => undefined,
};

function ask(sub: string, content: ContentPart[], extra: Record<string, unknown> = {}) {
  const claims: ClientTokenClaims = {
    sub,
    role: 'member',
    models: ['*'],
    tier: 'unlimited',
    jti: randomUUID(),
  };
  return runChat(
    {
      clientToken: 't',
      model: 'local/vision-echo',
      messages: [{ role: 'user', content }],
      ...extra,
    },
    { claims, checkRevocation: async () => undefined },
    channel,
    {
      entries: [providerEntry('local')],
      policy: policyFromEnv({}),
      db: () => db,
      keepConversations: true,
    },
  );
}

/** Every image document under the user's conversations, read path by path. */
async function imagesUnder(sub: string) {
  const found = [];
  for (const conversation of (await db.collection(`users/${sub}/conversations`).get()).docs) {
    for (const message of (await conversation.ref.collection('messages').get()).docs) {
      found.push(...(await message.ref.collection('images').get()).docs);
    }
  }
  return found;
}

describe('a question with images', () => {
  it('when it is answered, then the model saw the images and the conversation returns them', async () => {
    const sub = `img-${randomUUID()}`;
    const [wide, small] = [png(64, 48), png(10, 10)];

    const result = await ask(sub, [
      { type: 'text', text: 'What is this?' },
      image(wide),
      image(small),
    ]);

    expect(result.text).toContain('You sent 2 images (PNG, 64×48; PNG, 10×10).');
    const { messages } = await getConversation(db, sub, result.conversationId!);
    expect(messages[0]).toMatchObject({
      role: 'user',
      content: 'What is this?',
      images: [
        { id: expect.any(String), mediaType: 'image/png', data: wide },
        { id: expect.any(String), mediaType: 'image/png', data: small },
      ],
    });
    expect(messages[1]).not.toHaveProperty('images');
    // One document per image, beside its message; the message names them and holds no bytes.
    const stored = await imagesUnder(sub);
    expect(stored).toHaveLength(2);
    const message = await stored[0]!.ref.parent.parent!.get();
    expect(message.get('images')).toEqual([
      { id: expect.any(String), mediaType: 'image/png' },
      { id: expect.any(String), mediaType: 'image/png' },
    ]);
  });

  it('when its question is edited, its turn deleted and the conversation deleted, then its images go with them', async () => {
    const sub = `img-${randomUUID()}`;
    const first = await ask(sub, [{ type: 'text', text: 'one' }, image(png(8, 8))]);
    const conversationId = first.conversationId!;
    await ask(sub, [{ type: 'text', text: 'two' }, image(png(9, 9))], {
      conversationId,
      parentId: null,
    });

    // The edit is shown; the original stays as another version, with its image.
    const { messages, alternatives } = await getConversation(db, sub, conversationId);
    expect(messages.map((m) => m.content.slice(0, 3))).toEqual(['two', 'Hel']);
    expect(alternatives.map((m) => m.content.slice(0, 3))).toEqual(['one', 'Hel']);
    expect(await imagesUnder(sub)).toHaveLength(2);

    await deleteTurn(db, sub, conversationId, alternatives[0]!.id);
    expect(await imagesUnder(sub)).toHaveLength(1);
    await deleteConversation(db, sub, conversationId);
    expect(await imagesUnder(sub)).toHaveLength(0);
  });

  it('when it holds five images, then it is refused naming the limit, and nothing is kept', async () => {
    const sub = `img-${randomUUID()}`;
    const five = Array.from({ length: 5 }, () => image(png(4, 4)));

    await expect(ask(sub, [{ type: 'text', text: 'many' }, ...five])).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: 'messages.0.content: holds 5 images; a conversation keeps at most 4 a message',
    });
    expect((await db.collection(`users/${sub}/conversations`).get()).size).toBe(0);
  });

  it('when an image is larger than a document keeps, or an address, then it is refused naming it', async () => {
    const sub = `img-${randomUUID()}`;
    const big = Buffer.alloc(MAX_STORED_IMAGE_BYTES + 1, 1).toString('base64');

    await expect(ask(sub, [{ type: 'text', text: 'big' }, image(big)])).rejects.toMatchObject({
      kind: 'invalid-argument',
      message:
        `messages.0.content.1.source.data: is an image of ${MAX_STORED_IMAGE_BYTES + 1} bytes, ` +
        `larger than the ${MAX_STORED_IMAGE_BYTES} a conversation keeps`,
    });
    const address: ContentPart = {
      type: 'image',
      source: { type: 'url', url: 'https://example.com/a.png' },
    };
    await expect(ask(sub, [address])).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringContaining(
        'messages.0.content.0.source.type: must be base64 data: a conversation keeps the image itself',
      ),
    });
    expect((await db.collection(`users/${sub}/conversations`).get()).size).toBe(0);
  });
});
