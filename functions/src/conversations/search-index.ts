// History search's inverted index: `users/{uid}/searchIndex/{entryId}`, one entry per message
// (`{cid}~{mid}`) and one per conversation's title (`{cid}~title`), each holding its text's
// terms (search-terms.ts) and a fixed-width `sortKey` (time, then entry id). The writers take
// the conversation store's own transaction and the conversation's reference (the entry sits
// under the same user), and only write (a transaction reads before it writes), so an entry
// comes and goes with what it indexes. docs/search.md has the design.
import type { DocumentData, DocumentReference, Firestore, Query } from 'firebase-admin/firestore';
import type { SearchConversationsResponse, SearchResult } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import {
  highlighted,
  lookupTerm,
  matchesAll,
  mostSelective,
  queryWords,
  snippetOf,
  termsOf,
  type QueryWord,
} from './search-terms.js';

/** Index entries one search call reads at most, however long the history. */
export const SCAN_MAX = 200;
/** Entries read per query while scanning. */
const SCAN_CHUNK = 50;

/**
 * What writes the indexed documents: their transaction, or a batch where nothing is read first
 * (a new conversation). Both `Transaction` and `WriteBatch` are one.
 */
export interface Writes {
  set(ref: DocumentReference, data: DocumentData): unknown;
  delete(ref: DocumentReference): unknown;
}

/** What an index entry of a message needs of it. */
export interface IndexedMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: number;
}

interface Entry {
  conversationId: string;
  kind: 'title' | 'message';
  messageId?: string;
  role?: 'user' | 'assistant';
  terms: string[];
  sortKey: string;
}

function indexOf(db: Firestore, uid: string) {
  // A uid is one path segment; anything else would address some other document.
  if (uid.length === 0 || uid.includes('/')) {
    throw new GatewayError('unauthenticated', 'The caller has no usable user id.');
  }
  return db.collection('users').doc(uid).collection('searchIndex');
}

/**
 * The entry of `id` (a message id, or `title`) of a conversation, beside it under the same
 * user: `users/{uid}/conversations/{cid}` gives `users/{uid}/searchIndex/{cid}~{id}`. `~` is in
 * no conversation or message id, so an entry's id names exactly one thing.
 */
function entryRef(conversation: DocumentReference, id: string): DocumentReference {
  const user = conversation.parent.parent;
  if (!user || conversation.parent.id !== 'conversations') {
    throw new Error(`search-index: ${conversation.path} is not a conversation`);
  }
  return user.collection('searchIndex').doc(`${conversation.id}~${id}`);
}

function sortKey(at: number, entryId: string): string {
  return `${String(at).padStart(16, '0')}_${entryId}`;
}

/** Indexes a message (or re-indexes it, say when its content changed). */
export function indexMessage(
  tx: Writes,
  conversation: DocumentReference,
  message: IndexedMessage,
): void {
  const ref = entryRef(conversation, message.id);
  const entry: Entry = {
    conversationId: conversation.id,
    kind: 'message',
    messageId: message.id,
    role: message.role,
    terms: termsOf(message.content),
    sortKey: sortKey(message.createdAt, ref.id),
  };
  tx.set(ref, entry);
}

/**
 * Indexes a conversation's title. `at` is its latest activity, so a title match sorts with the
 * conversation's place in History: call it again after each exchange.
 */
export function indexTitle(
  tx: Writes,
  conversation: DocumentReference,
  title: string,
  at: number,
): void {
  const ref = entryRef(conversation, 'title');
  const entry: Entry = {
    conversationId: conversation.id,
    kind: 'title',
    terms: termsOf(title),
    sortKey: sortKey(at, ref.id),
  };
  tx.set(ref, entry);
}

/** Removes the entries of messages being deleted; one write each, no read. */
export function unindexMessages(
  tx: Writes,
  conversation: DocumentReference,
  messageIds: readonly string[],
): void {
  for (const id of messageIds) tx.delete(entryRef(conversation, id));
}

/**
 * Removes a conversation's title entry. Its messages' entries go with the messages themselves
 * (unindexMessages), batch by batch, as the store deletes them.
 */
export function unindexConversation(tx: Writes, conversation: DocumentReference): void {
  tx.delete(entryRef(conversation, 'title'));
}

export interface SearchRequest {
  query: string;
  pageSize: number;
  cursor?: string | undefined;
}

interface Hit {
  conversationId: string;
  kind: 'title' | 'message';
  messageId?: string | undefined;
  role?: 'user' | 'assistant' | undefined;
}

/**
 * Conversations whose title or a message holds every word of the query, newest match first,
 * one result per conversation within a page. Looks up the most selective word with
 * `array-contains`, checks the others in memory, and reads at most `maxScan` entries (plus two
 * documents per result), returning a cursor where it stopped.
 */
export async function searchConversations(
  db: Firestore,
  uid: string,
  request: SearchRequest,
  options: { maxScan?: number } = {},
): Promise<SearchConversationsResponse> {
  const maxScan = options.maxScan ?? SCAN_MAX;
  const words = queryWords(request.query);
  const lookup = mostSelective(words);
  if (!lookup) return { results: [], scanned: 0 };
  const index = indexOf(db, uid);
  const hits = new Map<string, Hit>();
  let cursor = request.cursor;
  let scanned = 0;
  let exhausted = false;
  scan: while (scanned < maxScan && hits.size < request.pageSize) {
    let query: Query = index
      .where('terms', 'array-contains', lookupTerm(lookup))
      .orderBy('sortKey', 'desc');
    // Filtering on the sort key pages without cursors, which the local emulator ignores.
    if (cursor !== undefined) query = query.where('sortKey', '<', cursor);
    const limit = Math.min(SCAN_CHUNK, maxScan - scanned);
    const snapshot = await query.limit(limit).get();
    for (const doc of snapshot.docs) {
      scanned += 1;
      const entry = doc.data() as Entry;
      cursor = entry.sortKey;
      if (hits.has(entry.conversationId) || !matchesAll(entry.terms, words)) continue;
      hits.set(entry.conversationId, entry);
      if (hits.size >= request.pageSize) break scan;
    }
    if (snapshot.size < limit) {
      exhausted = true;
      break;
    }
  }
  const results = await resultsOf(db, uid, [...hits.values()], words);
  return {
    results,
    ...(exhausted || cursor === undefined ? {} : { nextCursor: cursor }),
    scanned,
  };
}

/**
 * Each hit with its conversation's title and, for a message, a snippet. A hit whose
 * conversation or message is gone (an entry left stale) is dropped.
 */
async function resultsOf(
  db: Firestore,
  uid: string,
  hits: readonly Hit[],
  words: readonly QueryWord[],
): Promise<SearchResult[]> {
  if (hits.length === 0) return [];
  const conversations = db.collection('users').doc(uid).collection('conversations');
  const conversationRefs = hits.map((hit) => conversations.doc(hit.conversationId));
  const messageRefs: DocumentReference[] = hits.flatMap((hit) =>
    hit.kind === 'message' && hit.messageId
      ? [conversations.doc(hit.conversationId).collection('messages').doc(hit.messageId)]
      : [],
  );
  const [conversationDocs, messageDocs] = await Promise.all([
    db.getAll(...conversationRefs),
    messageRefs.length > 0 ? db.getAll(...messageRefs) : Promise.resolve([]),
  ]);
  const messagesById = new Map(messageDocs.map((doc) => [doc.ref.path, doc]));
  const results: SearchResult[] = [];
  for (const [n, hit] of hits.entries()) {
    const conversation = conversationDocs[n]!;
    if (!conversation.exists) continue;
    const title = String(conversation.get('title') ?? '');
    const result: SearchResult = {
      conversationId: hit.conversationId,
      title: highlighted(title, words),
      updatedAt: Number(conversation.get('updatedAt') ?? 0),
      match: hit.kind,
    };
    if (hit.kind === 'message') {
      const path = conversation.ref.collection('messages').doc(hit.messageId ?? '-').path;
      const message = messagesById.get(path);
      if (!message?.exists) continue;
      result.messageId = message.id;
      if (hit.role) result.role = hit.role;
      result.snippet = snippetOf(String(message.get('content') ?? ''), words);
    }
    results.push(result);
  }
  return results;
}
