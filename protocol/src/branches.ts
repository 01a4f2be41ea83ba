// A conversation as a tree: each message names the one it follows (`parentId`), so an edited
// question and a regenerated answer sit beside the versions they replace. What a conversation
// shows is one path, from its first message to a chosen last one (its leaf). The server and the
// web share these functions; they take messages in the order they were written.

export interface Branching {
  id: string;
  parentId?: string | null | undefined;
}

/** The messages following each message, oldest first; the first messages under `null`. */
export function childrenOf<M extends Branching>(messages: readonly M[]): Map<string | null, M[]> {
  const known = new Set(messages.map((m) => m.id));
  const children = new Map<string | null, M[]>();
  for (const message of messages) {
    // A parent not (or not yet) here makes a message one of the first.
    const parent =
      message.parentId !== undefined && message.parentId !== null && known.has(message.parentId)
        ? message.parentId
        : null;
    const list = children.get(parent);
    if (list) list.push(message);
    else children.set(parent, [message]);
  }
  return children;
}

/** The path from the first message to `leafId`, oldest first; empty when it is not here. */
export function pathTo<M extends Branching>(messages: readonly M[], leafId: string): M[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  const path: M[] = [];
  const seen = new Set<string>();
  for (let at = byId.get(leafId); at && !seen.has(at.id); at = byId.get(at.parentId ?? '')) {
    seen.add(at.id);
    path.push(at);
  }
  return path.reverse();
}

/** The newest message at the end of the newest branches under `id` (itself, with none). */
export function latestLeaf<M extends Branching>(
  children: ReadonlyMap<string | null, readonly M[]>,
  id: string | null,
): string | undefined {
  let leaf = id ?? undefined;
  const seen = new Set<string | null>([id]);
  for (let next = children.get(id)?.at(-1); next && !seen.has(next.id);) {
    seen.add(next.id);
    leaf = next.id;
    next = children.get(next.id)?.at(-1);
  }
  return leaf;
}

/**
 * The path a conversation shows: to `leafId` when it is one of its messages, else to the
 * newest branch's end (say, for a conversation stored before branches, its last message).
 */
export function shownPath<M extends Branching>(
  messages: readonly M[],
  leafId: string | undefined,
): M[] {
  const path = leafId === undefined ? [] : pathTo(messages, leafId);
  if (path.length > 0) return path;
  const leaf = latestLeaf(childrenOf(messages), null);
  return leaf === undefined ? [] : pathTo(messages, leaf);
}

/** The versions of a message: it and the messages beside it, oldest first, and its place. */
export function versionsOf<M extends Branching>(
  children: ReadonlyMap<string | null, readonly M[]>,
  message: M,
): { versions: readonly M[]; index: number } {
  // Under its parent, or among the first messages when its parent is not here.
  for (const parent of [message.parentId ?? null, null]) {
    const versions = children.get(parent) ?? [];
    const index = versions.findIndex((m) => m.id === message.id);
    if (index >= 0) return { versions, index };
  }
  return { versions: [message], index: 0 };
}

/** What deleting a turn leaves: the messages kept, each with the parent it now has. */
export interface WithoutTurn<M> {
  kept: { message: M; parentId: string | null }[];
  /** The question and every answer to it. */
  removed: M[];
  /** The shown path's end now: unchanged unless it was removed; absent when none is left. */
  leafId: string | undefined;
}

/**
 * Deletes a turn: the question `questionId` and every answer to it. What followed its answers
 * follows the question's parent instead, so the turns after it stay. Undefined when
 * `questionId` is no question here.
 */
export function withoutTurn<M extends Branching & { role: string }>(
  messages: readonly M[],
  questionId: string,
  leafId: string | undefined,
): WithoutTurn<M> | undefined {
  const question = messages.find((m) => m.id === questionId);
  if (question?.role !== 'user') return undefined;
  const above = question.parentId ?? null;
  const answers = new Set(messages.filter((m) => m.parentId === questionId).map((m) => m.id));
  const removed = messages.filter((m) => m.id === questionId || answers.has(m.id));
  const kept = messages
    .filter((m) => m.id !== questionId && !answers.has(m.id))
    .map((message) => {
      const parentId = message.parentId ?? null;
      return { message, parentId: parentId !== null && answers.has(parentId) ? above : parentId };
    });
  const gone = leafId !== undefined && (leafId === questionId || answers.has(leafId));
  if (!gone) return { kept, removed, leafId };
  const tree = childrenOf(kept.map(({ message, parentId }) => ({ id: message.id, parentId })));
  return { kept, removed, leafId: latestLeaf(tree, above) };
}
