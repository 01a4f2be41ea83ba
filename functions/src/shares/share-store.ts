// Shared conversations in Firestore (docs/sharing.md): `shares/{shareId}` names its owner, the
// conversation, its title then and how many messages it holds; `shares/{shareId}/messages/{n}`
// holds the nth message as it was shown, and `.../images/{iid}` each of its images' bytes, one
// document each as a conversation keeps them (a document holds at most 1 MiB). A snapshot is
// written once and never changed: the share's own document is written last, so a share that
// can be read is whole; revoking deletes that document first, so the link dies at once.
import type { DocumentReference, DocumentSnapshot, Firestore } from 'firebase-admin/firestore';
import {
  Share,
  ShareId,
  SharedMessage,
  type GetSharedConversationResponse,
  type ImageMediaType,
  type SharedImage,
  type StoredMessage,
} from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';

export type Clock = () => number;

/** Firestore commits at most 500 writes; a message and its images stay together. */
const MAX_BATCH_WRITES = 450;
/** A commit request is at most 10 MiB; a message and its four images are under 4 MiB. */
const MAX_BATCH_BYTES = 6 * 1024 * 1024;
/** Messages deleted per commit: each with up to four images. */
const DELETE_BATCH = 90;
/** Most shares one person's list returns; sorted in memory, so no composite index is needed. */
export const MAX_LISTED_SHARES = 500;

interface ImageRef {
  id: string;
  mediaType: ImageMediaType;
}

/** Revoked, unknown, someone else's or half revoked: one answer, so a link reveals nothing. */
function notFound(): GatewayError {
  return new GatewayError('not-found', 'shareId: no such shared conversation');
}

const sharesOf = (db: Firestore) => db.collection('shares');

function shareRef(db: Firestore, shareId: string): DocumentReference {
  // The callables parse ids first; this keeps any other caller from addressing another path.
  if (!ShareId.safeParse(shareId).success) throw notFound();
  return sharesOf(db).doc(shareId);
}

/** Fixed width, so the messages' ids sort as their order does. */
const messageId = (n: number) => String(n).padStart(6, '0');

function toShare(doc: DocumentSnapshot): Share {
  return Share.parse({ ...doc.data(), id: doc.id });
}

/** The owner's share of this conversation, if there is one. */
export async function findShare(
  db: Firestore,
  uid: string,
  conversationId: string,
): Promise<Share | undefined> {
  const found = await sharesOf(db)
    .where('ownerUid', '==', uid)
    .where('conversationId', '==', conversationId)
    .limit(1)
    .get();
  const doc = found.docs[0];
  return doc ? toShare(doc) : undefined;
}

/** The owner's shares, newest first; only this conversation's when it is named. */
export async function listShares(
  db: Firestore,
  uid: string,
  conversationId?: string,
): Promise<Share[]> {
  let query = sharesOf(db).where('ownerUid', '==', uid);
  if (conversationId !== undefined) query = query.where('conversationId', '==', conversationId);
  const found = await query.limit(MAX_LISTED_SHARES).get();
  return found.docs.map(toShare).sort((a, b) => b.createdAt - a.createdAt);
}

/** What a shared message keeps of a stored one: no costs, usage, latency or errors. */
function sharedFields(message: StoredMessage): Omit<SharedMessage, 'images'> {
  return {
    role: message.role,
    content: message.content,
    createdAt: message.createdAt,
    ...(message.role === 'assistant' ? { model: message.model } : {}),
  };
}

interface Snapshot {
  ownerUid: string;
  conversationId: string;
  title: string;
  messages: readonly StoredMessage[];
}

/**
 * Writes a new snapshot under a fresh auto id: the messages and images in batches within
 * Firestore's limits, then the share's document. If a batch fails, what was written is
 * deleted again (best effort: without the share's document it is unreachable anyway).
 */
export async function writeSnapshot(
  db: Firestore,
  snapshot: Snapshot,
  now: Clock = Date.now,
): Promise<Share> {
  const ref = sharesOf(db).doc();
  try {
    let batch = db.batch();
    let writes = 0;
    let bytes = 0;
    for (const [n, message] of snapshot.messages.entries()) {
      const images = message.role === 'user' ? (message.images ?? []) : [];
      const size =
        Buffer.byteLength(message.content) +
        images.reduce((sum, image) => sum + Math.ceil((image.data.length * 3) / 4), 0);
      if (
        writes > 0 &&
        (writes + 1 + images.length > MAX_BATCH_WRITES || bytes + size > MAX_BATCH_BYTES)
      ) {
        await batch.commit();
        batch = db.batch();
        writes = 0;
        bytes = 0;
      }
      const messageRef = ref.collection('messages').doc(messageId(n));
      const refs: ImageRef[] = images.map(({ id, mediaType }) => ({ id, mediaType }));
      batch.create(messageRef, {
        ...sharedFields(message),
        ...(refs.length > 0 ? { images: refs } : {}),
        seq: n,
      });
      for (const { id, mediaType, data } of images) {
        batch.create(messageRef.collection('images').doc(id), {
          mediaType,
          data: Buffer.from(data, 'base64'),
        });
      }
      writes += 1 + images.length;
      bytes += size;
    }
    if (writes > 0) await batch.commit();
    const share: Share = {
      id: ref.id,
      conversationId: snapshot.conversationId,
      title: snapshot.title,
      createdAt: now(),
      messageCount: snapshot.messages.length,
    };
    const { id: _id, ...fields } = share;
    await ref.create({ ...fields, ownerUid: snapshot.ownerUid });
    return share;
  } catch (error) {
    await deleteMessages(ref).catch(() => undefined);
    throw error;
  }
}

/** Deletes a snapshot's messages and their images, a batch at a time. */
async function deleteMessages(ref: DocumentReference): Promise<void> {
  for (;;) {
    const messages = await ref.collection('messages').select('images').limit(DELETE_BATCH).get();
    if (messages.empty) return;
    const batch = ref.firestore.batch();
    for (const message of messages.docs) {
      for (const image of (message.get('images') ?? []) as ImageRef[]) {
        batch.delete(message.ref.collection('images').doc(image.id));
      }
      batch.delete(message.ref);
    }
    await batch.commit();
  }
}

/**
 * Revokes the owner's share: its document goes first, in a transaction that checks the owner,
 * so the link answers not-found from then on; then the snapshot's messages and images. Not the
 * owner's share, or none: not-found, as for a stranger's link.
 */
export async function revokeShare(db: Firestore, uid: string, shareId: string): Promise<void> {
  const ref = shareRef(db, shareId);
  await db.runTransaction(async (tx) => {
    const snapshot = await tx.get(ref);
    if (!snapshot.exists || snapshot.get('ownerUid') !== uid) throw notFound();
    tx.delete(ref);
  });
  await deleteMessages(ref);
}

/** Revokes every share of the owner's conversation (when the conversation is deleted). */
export async function revokeSharesOf(
  db: Firestore,
  uid: string,
  conversationId: string,
): Promise<void> {
  for (const share of await listShares(db, uid, conversationId)) {
    try {
      await revokeShare(db, uid, share.id);
    } catch (error) {
      // Revoked meanwhile by another call: already what was wanted.
      if (!(error instanceof GatewayError && error.kind === 'not-found')) throw error;
    }
  }
}

async function readImages(message: DocumentSnapshot): Promise<SharedImage[] | undefined> {
  const refs = (message.get('images') ?? []) as ImageRef[];
  if (refs.length === 0) return undefined;
  const images = await message.ref.firestore.getAll(
    ...refs.map((image) => message.ref.collection('images').doc(image.id)),
  );
  // A snapshot is whole or being revoked: a missing image means the latter.
  if (images.some((image) => !image.exists)) throw notFound();
  return images.map((image) => ({
    id: image.id,
    mediaType: image.get('mediaType') as ImageMediaType,
    data: Buffer.from(image.get('data') as Uint8Array).toString('base64'),
  }));
}

/** A share as anyone holding its link reads it: its title, date and messages. */
export async function readShare(
  db: Firestore,
  shareId: string,
): Promise<GetSharedConversationResponse> {
  const ref = shareRef(db, shareId);
  const [doc, messages] = await Promise.all([
    ref.get(),
    ref.collection('messages').orderBy('seq').get(),
  ]);
  if (!doc.exists) throw notFound();
  const share = toShare(doc);
  // Fewer messages than the share names: it is being revoked.
  if (messages.size !== share.messageCount) throw notFound();
  return {
    share: {
      id: share.id,
      title: share.title,
      createdAt: share.createdAt,
      messageCount: share.messageCount,
    },
    messages: await Promise.all(
      messages.docs.map(async (message) => {
        const images = await readImages(message);
        const { seq: _seq, images: _refs, ...fields } = message.data();
        return SharedMessage.parse({ ...fields, ...(images ? { images } : {}) });
      }),
    ),
  };
}
