import { describe, expect, it } from 'vitest';
import { childrenOf, latestLeaf, pathTo, shownPath, versionsOf, withoutTurn } from './branches.js';

// q1 → a1 → q2 → a2        (q2 edited as q2b → a2b; a2 regenerated as a2c)
//          → q2b → a2b
const m = (
  id: string,
  parentId: string | null,
  role = id.startsWith('q') ? 'user' : 'assistant',
) => ({
  id,
  parentId,
  role,
});
const tree = [
  m('q1', null),
  m('a1', 'q1'),
  m('q2', 'a1'),
  m('a2', 'q2'),
  m('a2c', 'q2'),
  m('q2b', 'a1'),
  m('a2b', 'q2b'),
];
const ids = (list: readonly { id: string }[]) => list.map((x) => x.id);

describe('branches', () => {
  it('when a leaf is named, then the path runs from the first message to it', () => {
    expect(ids(pathTo(tree, 'a2c'))).toEqual(['q1', 'a1', 'q2', 'a2c']);
    expect(pathTo(tree, 'missing')).toEqual([]);
  });

  it('when no leaf is stored or it is gone, then the newest branch is shown', () => {
    expect(ids(shownPath(tree, undefined))).toEqual(['q1', 'a1', 'q2b', 'a2b']);
    expect(ids(shownPath(tree, 'deleted'))).toEqual(['q1', 'a1', 'q2b', 'a2b']);
    expect(shownPath([], undefined)).toEqual([]);
  });

  it('when a message has versions, then they are its siblings oldest first with its place', () => {
    const children = childrenOf(tree);
    expect(ids(versionsOf(children, tree[5]!).versions)).toEqual(['q2', 'q2b']);
    expect(versionsOf(children, tree[5]!).index).toBe(1);
    expect(ids(versionsOf(children, tree[4]!).versions)).toEqual(['a2', 'a2c']);
    expect(versionsOf(children, tree[0]!).versions).toHaveLength(1);
    // Switching to the first version of q2 shows its newest answer.
    expect(latestLeaf(children, 'q2')).toBe('a2c');
    expect(latestLeaf(children, null)).toBe('a2b');
  });

  it('when a parent is not (yet) here or the parents form a loop, then nothing hangs and the orphan is a first message', () => {
    const orphan = [m('q9', 'not-yet'), m('a9', 'q9')];
    expect(ids(shownPath(orphan, 'a9'))).toEqual(['q9', 'a9']);
    expect(ids(childrenOf(orphan).get(null) ?? [])).toEqual(['q9']);
    const loop = [m('q1', 'a1'), m('a1', 'q1')];
    expect(ids(pathTo(loop, 'a1'))).toEqual(['q1', 'a1']);
    expect(latestLeaf(childrenOf(loop), 'q1')).toBe('a1');
  });

  it('when a turn is deleted, then its question and answers go and what followed follows its parent', () => {
    const after = [...tree, m('q3', 'a2c'), m('a3', 'q3')];
    const result = withoutTurn(after, 'q2', 'a3')!;
    expect(ids(result.removed)).toEqual(['q2', 'a2', 'a2c']);
    expect(result.kept.find((k) => k.message.id === 'q3')?.parentId).toBe('a1');
    expect(result.leafId).toBe('a3');
    // The shown turn itself: the path ends at the newest end under its parent.
    expect(withoutTurn(tree, 'q2b', 'a2b')?.leafId).toBe('a2c');
    // The first turn: the turns after it become the first.
    const first = withoutTurn(tree, 'q1', 'a2b')!;
    expect(first.leafId).toBe('a2b');
    expect(first.kept.filter((k) => k.parentId === null).map((k) => k.message.id)).toEqual([
      'q2',
      'q2b',
    ]);
    expect(withoutTurn([m('q1', null), m('a1', 'q1')], 'q1', 'a1')?.leafId).toBeUndefined();
    expect(withoutTurn(tree, 'a1', 'a2b')).toBeUndefined();
    expect(withoutTurn(tree, 'missing', 'a2b')).toBeUndefined();
  });
});
