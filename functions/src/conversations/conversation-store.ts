// Conversations and their messages in Firestore: `users/{uid}/conversations/{cid}` and
// `.../messages/{mid}`, and a question's images `.../messages/{mid}/images/{iid}`, one document
// each (a document holds at most 1 MiB), which the message names. Every path starts at the caller's uid, so another user's conversation
// id simply does not exist here: ownership needs no check that could be forgotten.
import type {
  CollectionReference,
  DocumentReference,
  DocumentSnapshot,
  Firestore,
  Transaction,
} from 'firebase-admin/firestore';
import {
  AssistantMessage,
  Conversation,
  ConversationId,
  ConversationTitle,
  StoredMessage,
  describeIssues,
  type GetConversationResponse,
  type ImageMediaType,
  type ListConversationsResponse,
  type StoredImage,
  type UserMessage,
} from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';

export type Clock = () => number;

/** Deletes stay under Firestore's 500 writes per commit: a message and up to 4 images each. */
const DELETE_BATCH = 90;
const TITLE_LENGTH = 60;
const UNTITLED = 'New conversation';

export interface NewConversation {
  title: string;
  model?: string | undefined;
  systemPrompt?: string | undefined;
}

/** An image as a question carried it: validated by the callable (`checkKeptImages`). */
export interface QuestionImage {
  mediaType: ImageMediaType;
  /** base64 */
  data: string;
}

/** What a message's document says of one of its images; the bytes are in the image's own. */
interface ImageRef {
  id: string;
  mediaType: ImageMediaType;
}

export interface Exchange {
  user: { content: string; images?: readonly QuestionImage[] | undefined };
  assistant: Omit<AssistantMessage, 'id' | 'role' | 'createdAt'>;
  /** Keep only the first `replaceFrom` messages and put this exchange after them; past the
   *  end, append. */
  replaceFrom?: number | undefined;
}

export interface AppendedExchange {
  conversation: Conversation;
  user: UserMessage;
  assistant: AssistantMessage;
}

/** A title from the first user message: its first line, at most 60 characters. */
export function titleFrom(firstUserMessage: string): string {
  const line = firstUserMessage.trim().split(/\r?\n/, 1)[0]?.trim() ?? '';
  // Code points, not UTF-16 units, so an emoji is never cut in half.
  const chars = Array.from(line);
  if (chars.length === 0) return UNTITLED;
  if (chars.length <= TITLE_LENGTH) return line;
  return `${chars
    .slice(0, TITLE_LENGTH - 1)
    .join('')
    .trimEnd()}…`;
}

function notFound(): GatewayError {
  return new GatewayError('not-found', 'conversationId: no such conversation');
}

function conversationsOf(db: Firestore, uid: string): CollectionReference {
  // A uid is one path segment; anything else would address some other document.
  if (uid.length === 0 || uid.includes('/')) {
    throw new GatewayError('unauthenticated', 'The caller has no usable user id.');
  }
  return db.collection('users').doc(uid).collection('conversations');
}

function conversationRef(db: Firestore, uid: string, conversationId: string): DocumentReference {
  // Ids come from clients (chat requests too); a malformed one cannot name a conversation.
  if (!ConversationId.safeParse(conversationId).success) throw notFound();
  return conversationsOf(db, uid).doc(conversationId);
}

/**
 * One field that orders the list exactly: the update time, fixed width so strings sort as
 * numbers, then the id to break ties. Paging filters on it alone, which needs no composite
 * index and works on the local emulator, which ignores query cursors (`startAfter`).
 */
function sortKey(updatedAt: number, id: string): string {
  return `${String(updatedAt).padStart(16, '0')}_${id}`;
}

const SORT_KEY = /^\d{16}_[A-Za-z0-9][A-Za-z0-9_-]*$/;

function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!SORT_KEY.test(key)) {
    throw new GatewayError('invalid-argument', 'cursor: is not a cursor this list returned');
  }
  return key;
}

function toConversation(id: string, data: unknown): Conversation {
  // Parsing strips the stored sort key and fails loudly on a document of another shape.
  return Conversation.parse({ ...(data as object), id });
}

function validTitle(title: string): string {
  const parsed = ConversationTitle.safeParse(title);
  if (!parsed.success) {
    throw new GatewayError('invalid-argument', `title: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** The image documents a message's document names. */
function imageRefsOf(message: DocumentSnapshot): DocumentReference[] {
  const refs = (message.get('images') ?? []) as ImageRef[];
  return refs.map((image) => message.ref.collection('images').doc(image.id));
}

/** A stored message with its images' bytes read back, in one transaction's snapshot. */
async function readMessage(tx: Transaction, doc: DocumentSnapshot): Promise<StoredMessage> {
  const refs = imageRefsOf(doc);
  if (refs.length === 0) return StoredMessage.parse({ ...doc.data(), id: doc.id });
  const snapshots = await tx.getAll(...refs);
  const images: StoredImage[] = snapshots.map((image) => ({
    id: image.id,
    mediaType: image.get('mediaType') as ImageMediaType,
    data: Buffer.from(image.get('data') as Uint8Array).toString('base64'),
  }));
  return StoredMessage.parse({ ...doc.data(), id: doc.id, images });
}

/** Throws not-found unless the conversation exists under this user; reads one document. */
export async function assertConversation(
  db: Firestore,
  uid: string,
  conversationId: string,
): Promise<void> {
  if (!(await conversationRef(db, uid, conversationId).get()).exists) throw notFound();
}

export async function createConversation(
  db: Firestore,
  uid: string,
  input: NewConversation,
  now: Clock = Date.now,
): Promise<Conversation> {
  const ref = conversationsOf(db, uid).doc();
  const at = now();
  const conversation: Conversation = {
    id: ref.id,
    title: input.title.trim().slice(0, 200) || UNTITLED,
    createdAt: at,
    updatedAt: at,
    messageCount: 0,
    ...(input.model === undefined ? {} : { lastModel: input.model }),
    ...(input.systemPrompt === undefined ? {} : { systemPrompt: input.systemPrompt }),
  };
  const { id: _id, ...fields } = conversation;
  await ref.create({ ...fields, sortKey: sortKey(at, ref.id) });
  return conversation;
}

/**
 * Writes a user message and its answer in one transaction. `seq` orders messages exactly,
 * even when both share a millisecond; the transaction makes it unique per conversation.
 */
export async function appendExchange(
  db: Firestore,
  uid: string,
  conversationId: string,
  exchange: Exchange,
  now: Clock = Date.now,
): Promise<AppendedExchange> {
  const ref = conversationRef(db, uid, conversationId);
  return db.runTransaction(async (tx) => {
    const snapshot = await tx.get(ref);
    if (!snapshot.exists) throw notFound();
    const current = toConversation(ref.id, snapshot.data());
    // Instances' clocks differ; the list's order must never run backwards.
    const at = Math.max(now(), current.updatedAt);
    const messages = ref.collection('messages');
    const { replaceFrom } = exchange;
    let seq = current.messageCount;
    if (replaceFrom !== undefined && replaceFrom < seq) {
      // A regenerated or edited turn: the messages after the kept ones go, in this transaction.
      const replaced = await tx.get(messages.where('seq', '>=', replaceFrom));
      for (const doc of replaced.docs) {
        for (const image of imageRefsOf(doc)) tx.delete(image);
        tx.delete(doc.ref);
      }
      seq = replaceFrom;
    }
    // Past the end, it appends: the turn it follows (say, one the client stopped) may still be
    // on its way to being stored.
    const userRef = messages.doc();
    const assistantRef = messages.doc();
    const { content, images = [] } = exchange.user;
    const imageRefs = images.map(() => userRef.collection('images').doc());
    const user: UserMessage = {
      id: userRef.id,
      role: 'user',
      content,
      createdAt: at,
      ...(images.length > 0
        ? { images: images.map((image, n) => ({ id: imageRefs[n]!.id, ...image })) }
        : {}),
    };
    // Parsing keeps only the message's own fields; Firestore refuses an `undefined` error.
    const { error, ...reply } = exchange.assistant;
    const assistant = AssistantMessage.parse({
      ...reply,
      ...(error ? { error } : {}),
      id: assistantRef.id,
      role: 'assistant',
      createdAt: at,
    });
    const { id: _u, images: _i, ...userFields } = user;
    const { id: _a, ...assistantFields } = assistant;
    const refs: ImageRef[] = images.map(({ mediaType }, n) => ({
      id: imageRefs[n]!.id,
      mediaType,
    }));
    tx.create(userRef, { ...userFields, ...(refs.length > 0 ? { images: refs } : {}), seq });
    for (const [n, { mediaType, data }] of images.entries()) {
      // Bytes, not base64 text: a third smaller, so a kept image fits its document.
      tx.create(imageRefs[n]!, { mediaType, data: Buffer.from(data, 'base64') });
    }
    tx.create(assistantRef, { ...assistantFields, seq: seq + 1 });
    const changes = { updatedAt: at, messageCount: seq + 2, lastModel: assistant.model };
    tx.update(ref, { ...changes, sortKey: sortKey(at, ref.id) });
    return { conversation: { ...current, ...changes }, user, assistant };
  });
}

/** Newest activity first; `nextCursor` is absent on the last page. */
export async function listConversations(
  db: Firestore,
  uid: string,
  page: { pageSize: number; cursor?: string | undefined },
): Promise<ListConversationsResponse> {
  let query = conversationsOf(db, uid).orderBy('sortKey', 'desc');
  if (page.cursor !== undefined) query = query.where('sortKey', '<', decodeCursor(page.cursor));
  // One extra document tells whether another page exists, so no client fetches an empty one.
  const snapshot = await query.limit(page.pageSize + 1).get();
  const docs = snapshot.docs.slice(0, page.pageSize);
  const last = docs.at(-1);
  const more = snapshot.docs.length > page.pageSize && last !== undefined;
  return {
    conversations: docs.map((doc) => toConversation(doc.id, doc.data())),
    ...(more ? { nextCursor: encodeCursor(String(last.get('sortKey'))) } : {}),
  };
}

export async function getConversation(
  db: Firestore,
  uid: string,
  conversationId: string,
): Promise<GetConversationResponse> {
  const ref = conversationRef(db, uid, conversationId);
  // One snapshot, so `messageCount` and the messages agree even during an append.
  return db.runTransaction(
    async (tx) => {
      const [snapshot, messages] = await Promise.all([
        tx.get(ref),
        tx.get(ref.collection('messages').orderBy('seq')),
      ]);
      if (!snapshot.exists) throw notFound();
      return {
        conversation: toConversation(ref.id, snapshot.data()),
        messages: await Promise.all(messages.docs.map((doc) => readMessage(tx, doc))),
      };
    },
    { readOnly: true },
  );
}

/** Renaming keeps `updatedAt`: a new title is not new activity, so the list keeps its order. */
export async function renameConversation(
  db: Firestore,
  uid: string,
  conversationId: string,
  title: string,
): Promise<Conversation> {
  const ref = conversationRef(db, uid, conversationId);
  const newTitle = validTitle(title);
  return db.runTransaction(async (tx) => {
    const snapshot = await tx.get(ref);
    if (!snapshot.exists) throw notFound();
    tx.update(ref, { title: newTitle });
    return { ...toConversation(ref.id, snapshot.data()), title: newTitle };
  });
}

/**
 * Deletes the messages batch by batch and the conversation with the last batch. Each batch is
 * a transaction that reads the conversation, so an exchange appended meanwhile is either seen
 * and deleted or refused as not-found; none is left behind without its conversation.
 */
export async function deleteConversation(
  db: Firestore,
  uid: string,
  conversationId: string,
): Promise<void> {
  const ref = conversationRef(db, uid, conversationId);
  for (let done = false; !done;) {
    done = await db.runTransaction(async (tx) => {
      const snapshot = await tx.get(ref);
      if (!snapshot.exists) throw notFound();
      const messages = await tx.get(
        ref.collection('messages').select('images').limit(DELETE_BATCH),
      );
      for (const message of messages.docs) {
        for (const image of imageRefsOf(message)) tx.delete(image);
        tx.delete(message.ref);
      }
      const last = messages.size < DELETE_BATCH;
      if (last) tx.delete(ref);
      return last;
    });
  }
}
