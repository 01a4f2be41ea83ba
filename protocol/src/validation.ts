// Turns a zod failure into one message that names every offending field path, so a caller
// learns exactly what to fix.
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

const depth = (branch: readonly Issue[]): number =>
  Math.max(0, ...branch.map((issue) => issue.path.length));

/**
 * A union's failure names the branch that got furthest (a string or a list of parts: the list's
 * bad part), rather than "Invalid input" at the union itself.
 */
function flatten(
  issue: Issue,
  prefix: readonly PropertyKey[],
): { path: PropertyKey[]; message: string }[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
    if (depth(best) > 0) return best.flatMap((inner) => flatten(inner, path));
  }
  return [{ path, message: issue.message }];
}

/**
 * Every issue as `path: message`, joined. `spell` names a path as the caller's wire format
 * does (`/v1` spells the unified `toolCallId` as `tool_call_id`); by default its keys, dotted.
 */
export function describeIssues(
  error: z.ZodError,
  spell: (path: readonly PropertyKey[]) => string = (path) => path.join('.'),
): string {
  return error.issues
    .flatMap((issue) => flatten(issue, []))
    .map(({ path, message }) => `${spell(path) || '(root)'}: ${message}`)
    .join('; ');
}
