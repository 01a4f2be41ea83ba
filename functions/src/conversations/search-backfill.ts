// Conversations stored before History search had an index have no entries. The search callable
// indexes them a few at a time before it searches, oldest first, remembering where it got to in
// `users/{uid}/searchMeta/backfill`; once every conversation has been walked, that is one read
// per search. Writing an entry again is harmless (the same id, the same content), so two
// searches at once, or a conversation indexed as it is written, do no harm.
import type { Firestore } from 'firebase-admin/firestore';
import { GatewayError } from '../errors.js';
import { indexMessage, indexTitle, type IndexedMessage } from './search-index.js';

/** Bumped when entries must be written again for every conversation (say, new terms). */
const VERSION = 1;
/** A call stops after this many conversations, or once it has indexed this many messages. */
export const BACKFILL_LIMITS = { conversations: 20, messages: 500 };
/** Writes per batch: Firestore takes 500. */
const BATCH = 400;

interface Progress {
  version: number;
  done: boolean;
  /** The `createdAt` of the last conversation indexed, and the ids indexed with that time. */
  after?: number;
  atIds?: string[];
}

/**
 * Indexes the next conversations of `uid` not yet walked; true once all have been. Bounded by
 * `limits`, so a search never waits for a whole history.
 */
export async function backfillSearchIndex(
  db: Firestore,
  uid: string,
  limits = BACKFILL_LIMITS,
): Promise<boolean> {
  if (uid.length === 0 || uid.includes('/')) {
    throw new GatewayError('unauthenticated', 'The caller has no usable user id.');
  }
  const user = db.collection('users').doc(uid);
  const meta = user.collection('searchMeta').doc('backfill');
  const stored = (await meta.get()).data() as Progress | undefined;
  const progress: Progress =
    stored?.version === VERSION ? stored : { version: VERSION, done: false };
  if (progress.done) return true;

  const seen = new Set(progress.atIds ?? []);
  let query = user.collection('conversations').orderBy('createdAt');
  if (progress.after !== undefined) query = query.where('createdAt', '>=', progress.after);
  const page = (await query.limit(limits.conversations + seen.size).get()).docs.filter(
    (doc) => !(doc.get('createdAt') === progress.after && seen.has(doc.id)),
  );
  let indexed = 0;
  let messages = 0;
  let { after } = progress;
  for (const conversation of page) {
    if (indexed >= limits.conversations || messages >= limits.messages) break;
    const stored = await conversation.ref
      .collection('messages')
      .select('role', 'content', 'createdAt')
      .get();
    let batch = db.batch();
    let writes = 1;
    indexTitle(batch, conversation.ref, conversation.get('title'), conversation.get('updatedAt'));
    for (const doc of stored.docs) {
      const message: IndexedMessage = {
        id: doc.id,
        role: doc.get('role'),
        content: doc.get('content'),
        createdAt: doc.get('createdAt'),
      };
      indexMessage(batch, conversation.ref, message);
      writes += 1;
      if (writes === BATCH) {
        await batch.commit();
        batch = db.batch();
        writes = 0;
      }
    }
    if (writes > 0) await batch.commit();
    indexed += 1;
    messages += stored.size;
    const at = conversation.get('createdAt') as number;
    if (at !== after) seen.clear();
    seen.add(conversation.id);
    after = at;
  }
  const done = indexed === page.length && page.length < limits.conversations;
  await meta.set({
    version: VERSION,
    done,
    ...(after === undefined ? {} : { after }),
    atIds: [...seen],
  });
  return done;
}
