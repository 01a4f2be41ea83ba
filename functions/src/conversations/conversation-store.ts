// Conversations and their messages in Firestore: `users/{uid}/conversations/{cid}` and
// `.../messages/{mid}`, and a question's images `.../messages/{mid}/images/{iid}`, one document
// each (a document holds at most 1 MiB), which the message names. Every path starts at the caller's uid, so another user's conversation
// id simply does not exist here: ownership needs no check that could be forgotten.
import type {
  CollectionReference,
  DocumentReference,
  DocumentSnapshot,
  Firestore,
  Query,
  QueryDocumentSnapshot,
  Transaction,
} from 'firebase-admin/firestore';
import {
  AssistantMessage,
  shownPath,
  withoutTurn,
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
import * as search from './search-index.js';

export type Clock = () => number;

/**
 * Deletes stay under Firestore's 500 writes per commit: a message, up to 4 images and its
 * search index entry each.
 */
const DELETE_BATCH = 80;
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
  /** The ids its messages are stored under (`newExchangeIds`), told to the client up front;
   *  new ones when unset. */
  ids?: ExchangeIds | undefined;
  /** The question; absent when the exchange answers a stored one again (`regenerates`). */
  user?: { content: string; images?: readonly QuestionImage[] | undefined } | undefined;
  assistant: Omit<AssistantMessage, 'id' | 'role' | 'createdAt' | 'parentId'>;
  /**
   * The stored message the question follows (null: the conversation's first). Unset: the
   * shown last message. Either may still be on its way to being stored (a stopped turn).
   */
  parentId?: string | null | undefined;
  /** The stored question this exchange's answer answers again, beside its earlier answers. */
  regenerates?: string | undefined;
  /**
   * When its call started. The conversation shows this exchange unless a call that started
   * later has been stored first (a stopped turn's exchange stored after the next one). Unset:
   * now.
   */
  startedAt?: number | undefined;
}

export interface ExchangeIds {
  question?: string | undefined;
  answer: string;
}

export interface AppendedExchange {
  conversation: Conversation;
  user?: UserMessage | undefined;
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
async function readMessage(
  tx: Transaction,
  doc: DocumentSnapshot,
  parentId: string | null,
): Promise<StoredMessage> {
  const refs = imageRefsOf(doc);
  if (refs.length === 0) return StoredMessage.parse({ ...doc.data(), id: doc.id, parentId });
  const snapshots = await tx.getAll(...refs);
  const images: StoredImage[] = snapshots.map((image) => ({
    id: image.id,
    mediaType: image.get('mediaType') as ImageMediaType,
    data: Buffer.from(image.get('data') as Uint8Array).toString('base64'),
  }));
  return StoredMessage.parse({ ...doc.data(), id: doc.id, parentId, images });
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
  const batch = db.batch();
  batch.create(ref, { ...fields, sortKey: sortKey(at, ref.id) });
  search.indexTitle(batch, ref, conversation.title, at);
  await batch.commit();
  return conversation;
}

/** Fields a conversation's document keeps beside those `Conversation` shows. */
interface Placement {
  /** The shown path's last message, and when the call that made it the last one started. */
  leafId?: string;
  leafAt?: number;
  /** The next message's `seq` (`messageCount` for conversations stored before branches). */
  nextSeq?: number;
}

function placementOf(snapshot: DocumentSnapshot): Placement & { nextSeq: number } {
  const data = snapshot.data() as Omit<Placement, 'leafId'> & {
    leafId?: string | null;
    messageCount: number;
  };
  // A conversation whose every message was deleted keeps `leafId: null`.
  return {
    leafId: data.leafId ?? undefined,
    ...(data.leafAt === undefined ? {} : { leafAt: data.leafAt }),
    nextSeq: data.nextSeq ?? data.messageCount,
  };
}

/** Ids for an exchange's messages, made before its call so the client learns them first. */
export function newExchangeIds(
  db: Firestore,
  uid: string,
  conversationId: string,
  regenerating: boolean,
): ExchangeIds {
  const messages = conversationRef(db, uid, conversationId).collection('messages');
  return {
    ...(regenerating ? {} : { question: messages.doc().id }),
    answer: messages.doc().id,
  };
}

/**
 * Writes a question and its answer (or, regenerating, an answer alone) in one transaction.
 * `seq` orders messages exactly, even when both share a millisecond; the transaction makes it
 * unique per conversation. Nothing stored is replaced: an edit or a regenerated answer is a
 * new version beside the old one (branches.ts).
 */
export async function appendExchange(
  db: Firestore,
  uid: string,
  conversationId: string,
  exchange: Exchange,
  now: Clock = Date.now,
): Promise<AppendedExchange> {
  const ref = conversationRef(db, uid, conversationId);
  const messages = ref.collection('messages');
  const { regenerates } = exchange;
  const ids = exchange.ids ?? newExchangeIds(db, uid, conversationId, regenerates !== undefined);
  const question = exchange.user && ids.question;
  if (regenerates === undefined && question === undefined) {
    throw new Error('an exchange needs a question, or the question it answers again');
  }
  return db.runTransaction(async (tx) => {
    const snapshot = await tx.get(ref);
    if (!snapshot.exists) throw notFound();
    const current = toConversation(ref.id, snapshot.data());
    const placement = placementOf(snapshot);
    const parentId =
      exchange.parentId === undefined ? await shownLeaf(tx, ref, placement) : exchange.parentId;
    const startedAt = exchange.startedAt ?? now();
    // Instances' clocks differ; the list's order must never run backwards.
    const at = Math.max(now(), current.updatedAt);
    let seq = placement.nextSeq;
    let user: UserMessage | undefined;
    if (exchange.user && question !== undefined) {
      const userRef = messages.doc(question);
      const { content, images = [] } = exchange.user;
      const imageRefs = images.map(() => userRef.collection('images').doc());
      user = {
        id: userRef.id,
        role: 'user',
        content,
        createdAt: at,
        parentId,
        ...(images.length > 0
          ? { images: images.map((image, n) => ({ id: imageRefs[n]!.id, ...image })) }
          : {}),
      };
      const { id: _u, images: _i, ...userFields } = user;
      const refs: ImageRef[] = images.map(({ mediaType }, n) => ({
        id: imageRefs[n]!.id,
        mediaType,
      }));
      tx.create(userRef, { ...userFields, ...(refs.length > 0 ? { images: refs } : {}), seq });
      search.indexMessage(tx, ref, user);
      for (const [n, { mediaType, data }] of images.entries()) {
        // Bytes, not base64 text: a third smaller, so a kept image fits its document.
        tx.create(imageRefs[n]!, { mediaType, data: Buffer.from(data, 'base64') });
      }
      seq += 1;
    }
    // Parsing keeps only the message's own fields; Firestore refuses an `undefined` error.
    const { error, ...reply } = exchange.assistant;
    const assistant = AssistantMessage.parse({
      ...reply,
      ...(error ? { error } : {}),
      id: ids.answer,
      role: 'assistant',
      createdAt: at,
      parentId: user ? user.id : regenerates,
    });
    const { id: _a, ...assistantFields } = assistant;
    tx.create(messages.doc(ids.answer), { ...assistantFields, seq });
    search.indexMessage(tx, ref, assistant);
    // The title's entry sorts by the conversation's latest activity.
    search.indexTitle(tx, ref, current.title, at);
    const shown =
      startedAt >= (placement.leafAt ?? 0) ? { leafId: assistant.id, leafAt: startedAt } : {};
    const changes = {
      updatedAt: at,
      messageCount: current.messageCount + (user ? 2 : 1),
      lastModel: assistant.model,
    };
    tx.update(ref, { ...changes, ...shown, nextSeq: seq + 1, sortKey: sortKey(at, ref.id) });
    return { conversation: { ...current, ...changes }, user, assistant };
  });
}

/**
 * The shown path's last message: the stored leaf, or for a conversation stored before
 * branches (a straight line), its newest message; null when it has none.
 */
async function shownLeaf(
  tx: Transaction,
  ref: DocumentReference,
  placement: Placement,
): Promise<string | null> {
  if (placement.leafId !== undefined) return placement.leafId;
  const newest = await tx.get(ref.collection('messages').orderBy('seq', 'desc').limit(1));
  return newest.docs[0]?.id ?? null;
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
      const [snapshot, messages] = await Promise.all([tx.get(ref), tx.get(messagesInOrder(ref))]);
      if (!snapshot.exists) throw notFound();
      const stored = await Promise.all(
        withParents(messages.docs).map(({ doc, parentId }) => readMessage(tx, doc, parentId)),
      );
      const path = shownPath(stored, placementOf(snapshot).leafId);
      const shown = new Set(path.map((m) => m.id));
      return {
        conversation: toConversation(ref.id, snapshot.data()),
        messages: path,
        alternatives: stored.filter((m) => !shown.has(m.id)),
      };
    },
    { readOnly: true },
  );
}

function messagesInOrder(ref: DocumentReference): Query {
  return ref.collection('messages').orderBy('seq');
}

/**
 * Each message with the one it follows. A message stored before branches names none: the
 * conversation was then a straight line, so it follows the one written before it.
 */
function withParents(
  docs: readonly QueryDocumentSnapshot[],
): { doc: QueryDocumentSnapshot; parentId: string | null }[] {
  return docs.map((doc, n) => {
    const parentId = doc.get('parentId') as string | null | undefined;
    return { doc, parentId: parentId === undefined ? (docs[n - 1]?.id ?? null) : parentId };
  });
}

/** Shows the path through `leafId`; a call that started before now no longer moves it. */
export async function selectBranch(
  db: Firestore,
  uid: string,
  conversationId: string,
  leafId: string,
  now: Clock = Date.now,
): Promise<string> {
  const ref = conversationRef(db, uid, conversationId);
  return db.runTransaction(async (tx) => {
    const [snapshot, leaf] = await Promise.all([
      tx.get(ref),
      tx.get(ref.collection('messages').doc(leafId)),
    ]);
    if (!snapshot.exists) throw notFound();
    if (!leaf.exists) throw new GatewayError('not-found', 'leafId: no such message');
    tx.update(ref, { leafId, leafAt: Math.max(now(), placementOf(snapshot).leafAt ?? 0) });
    return leafId;
  });
}

/** Firestore's writes per commit, less room for the conversation's own update. */
const TURN_WRITES = 450;

/**
 * Deletes a question and every answer to it, with their images, in one transaction. What
 * followed the answers follows the question's parent instead, so later turns stay. Messages
 * stored before branches get their parent written down first: their order alone no longer says
 * it once one is gone.
 */
export async function deleteTurn(
  db: Firestore,
  uid: string,
  conversationId: string,
  questionId: string,
): Promise<{ deleted: string[]; leafId?: string }> {
  const ref = conversationRef(db, uid, conversationId);
  return db.runTransaction(async (tx) => {
    const [snapshot, docs] = await Promise.all([
      tx.get(ref),
      tx.get(messagesInOrder(ref).select('parentId', 'role', 'images')),
    ]);
    if (!snapshot.exists) throw notFound();
    const tree = withParents(docs.docs).map(({ doc, parentId }) => ({
      id: doc.id,
      role: doc.get('role') as string,
      parentId,
      doc,
    }));
    const after = withoutTurn(tree, questionId, placementOf(snapshot).leafId);
    if (!after) {
      throw new GatewayError('not-found', 'questionId: no such question in this conversation');
    }
    // Each whose parent changes is written, and so is each stored before branches, whose
    // parent was its order alone.
    const moved = after.kept.filter(
      ({ message, parentId }) => message.doc.get('parentId') !== parentId,
    );
    const images = after.removed.flatMap(({ doc }) => imageRefsOf(doc));
    // Each removed message's search entry goes too: one more write each.
    if (2 * after.removed.length + images.length + moved.length > TURN_WRITES) {
      throw new GatewayError(
        'failed-precondition',
        'questionId: this turn has too many versions and messages after it to delete at once',
      );
    }
    for (const image of images) tx.delete(image);
    for (const { doc } of after.removed) tx.delete(doc.ref);
    search.unindexMessages(
      tx,
      ref,
      after.removed.map(({ id }) => id),
    );
    for (const { message, parentId } of moved) tx.update(message.doc.ref, { parentId });
    const { leafId } = after;
    tx.update(ref, {
      messageCount: Math.max(0, snapshot.get('messageCount') - after.removed.length),
      leafId: leafId ?? null,
    });
    return {
      deleted: after.removed.map(({ id }) => id),
      ...(leafId === undefined ? {} : { leafId }),
    };
  });
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
    search.indexTitle(tx, ref, newTitle, Number(snapshot.get('updatedAt')));
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
      search.unindexMessages(
        tx,
        ref,
        messages.docs.map((message) => message.id),
      );
      const last = messages.size < DELETE_BATCH;
      if (last) {
        tx.delete(ref);
        search.unindexConversation(tx, ref);
      }
      return last;
    });
  }
}
