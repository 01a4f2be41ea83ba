// How History reads: conversations under date headings (Today, Yesterday, Previous 7 days,
// Previous 30 days, then one per month), and titles shown without the Markdown a model or a
// first message put in them. Pure, with the clock and time zone passed in, so tests pin both.
import type { Conversation } from '@colonycraft/protocol';

export interface HistoryGroup {
  label: string;
  conversations: Conversation[];
}

const DAY_MS = 86_400_000;

/** Local midnight of the day `at` falls on. */
function startOfDay(at: number): number {
  const date = new Date(at);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

/** Whole local days from `at`'s day to `now`'s (daylight-saving days count as one). */
function daysAgo(at: number, now: number): number {
  return Math.round((startOfDay(now) - startOfDay(at)) / DAY_MS);
}

/** The heading `at` goes under, seen at `now`. */
export function dateGroupOf(at: number, now: number, locale?: string): string {
  const days = daysAgo(at, now);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days <= 7) return 'Previous 7 days';
  if (days <= 30) return 'Previous 30 days';
  const date = new Date(at);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString(
    locale,
    sameYear ? { month: 'long' } : { month: 'long', year: 'numeric' },
  );
}

/**
 * The conversations (newest first, as History holds them) under their headings, in order. By
 * last activity, as the list is ordered, so a heading never comes back further down.
 */
export function groupByDate(
  conversations: readonly Conversation[],
  now: number,
  locale?: string,
): HistoryGroup[] {
  const groups: HistoryGroup[] = [];
  for (const conversation of conversations) {
    const label = dateGroupOf(conversation.updatedAt, now, locale);
    const last = groups.at(-1);
    if (last?.label === label) last.conversations.push(conversation);
    else groups.push({ label, conversations: [conversation] });
  }
  return groups;
}

/**
 * A title as text: Markdown's marks taken out (`**`, `__`, `*`, `_` around words, `~~`,
 * backticks, leading `#`, `>` and list marks), links and images turned into their text.
 * Underscores inside words (snake_case) and lone asterisks (2 * 3) stay.
 */
export function plainTitle(title: string): string {
  const plain = title
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s*(?:#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/(^|[^\w*])([*_])(?=\S)(.+?)(?<=\S)\2(?!\w)/g, '$1$3')
    .replace(/\s+/g, ' ')
    .trim();
  return plain || title.trim();
}
