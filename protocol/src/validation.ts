// Validation every part shares: one message for a zod failure that names every offending field
// path, so a caller learns exactly what to fix; and the one refusal of hidden characters in
// strings shown to people.
import { z } from 'zod';

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

/**
 * What a string shown to people must not hold, and what each kind is called in the refusal:
 * control characters (Cc, NUL included), the line and paragraph separators U+2028 and U+2029,
 * the tag characters U+E0000–U+E007F, and every other format character (Cf: the bidi controls
 * U+202A–U+202E, U+2066–U+2069, U+200E, U+200F and U+061C, the zero-width U+200B–U+200D,
 * U+FEFF, …). They are invisible or reorder the text around them, so a name holding one can
 * show as some other name.
 */
const HIDDEN_CHARACTERS: readonly (readonly [RegExp, string])[] = [
  [/\p{Cc}/u, 'a control character'],
  [/\p{Zl}/u, 'a line separator'],
  [/\p{Zp}/u, 'a paragraph separator'],
  [/[\u{E0000}-\u{E007F}]/u, 'a tag character'],
  [/\p{Cf}/u, 'a format character'],
];
const ANY_HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u{E0000}-\u{E007F}]/u;

/**
 * Why `text` may not be shown to people, naming its first hidden character by code point
 * (`U+202E (a format character) is not allowed`); undefined when it holds none.
 */
export function hiddenCharacterIssue(text: string): string | undefined {
  const found = ANY_HIDDEN.exec(text)?.[0];
  if (found === undefined) return undefined;
  const kind = HIDDEN_CHARACTERS.find(([pattern]) => pattern.test(found))![1];
  const codePoint = found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `U+${codePoint} (${kind}) is not allowed`;
}

/** A zod refinement refusing hidden characters; the issue sits at the field's own path. */
export function refuseHiddenCharacters(text: string, ctx: z.RefinementCtx<string>): void {
  const message = hiddenCharacterIssue(text);
  if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: text });
}

/**
 * A string shown to people (a key's name, a conversation's title): trimmed, then refused if it
 * holds a hidden character. Chain length limits and other checks after it.
 */
export const DisplayText = (): z.ZodString => z.string().trim().superRefine(refuseHiddenCharacters);

/**
 * A Firestore document id the gateway itself could have made. Refusing `/` keeps an id from
 * pointing into another path; refusing a leading `_` or `.` keeps clear of reserved ids.
 */
export const DocumentId = (what: string): z.ZodString =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, `must be a ${what} id`);
