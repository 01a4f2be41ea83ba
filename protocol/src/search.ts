// History search: the request of the `searchConversations` callable and its answer. The
// server matches words at their start (so a half-typed word finds), every word of the query
// in one message or title; docs/search.md says how the index behind it works.
import { z } from 'zod';
import { ConversationId } from './conversations.js';
import { WithClientToken } from './token.js';

/** Longest query, in characters: a search box, not a document. */
export const MAX_SEARCH_QUERY = 200;
/** Most results a page holds; each costs the server up to two document reads. */
export const MAX_SEARCH_PAGE = 25;

/**
 * A search cursor: where the previous page stopped in the index (a fixed-width time, then the
 * entry's id). Checked here, so a malformed one is refused before anything is read.
 */
export const SearchCursor = z
  .string()
  .regex(/^\d{16}_[A-Za-z0-9][A-Za-z0-9_~-]{0,300}$/, 'is not a cursor this search returned');

export const SearchConversationsRequest = WithClientToken.extend({
  query: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(MAX_SEARCH_QUERY, `must be at most ${MAX_SEARCH_QUERY} characters`),
  pageSize: z.number().int().min(1).max(MAX_SEARCH_PAGE).default(10),
  /** `nextCursor` of the previous page; null or absent for the first (the client SDK sends null). */
  cursor: SearchCursor.nullish().transform((cursor) => cursor ?? undefined),
});
export type SearchConversationsRequest = z.input<typeof SearchConversationsRequest>;

/** A piece of text and where the query's words are in it: `[start, end)` in UTF-16 units. */
export const HighlightedText = z.object({
  text: z.string(),
  highlights: z.array(z.object({ start: z.number().int().min(0), end: z.number().int().min(0) })),
});
export type HighlightedText = z.infer<typeof HighlightedText>;

/** One conversation that matches, with its newest match not already shown on an earlier page. */
export const SearchResult = z.object({
  conversationId: ConversationId,
  /** The conversation's title, with any of the query's words in it marked. */
  title: HighlightedText,
  updatedAt: z.number().int(),
  /** Where the match is: the title, or a message (then `messageId`, `role` and `snippet`). */
  match: z.enum(['title', 'message']),
  messageId: z.string().min(1).optional(),
  role: z.enum(['user', 'assistant']).optional(),
  /** A short piece of the message around the match, whitespace collapsed. */
  snippet: HighlightedText.optional(),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const SearchConversationsResponse = z.object({
  /** Newest match first, one per conversation within a page. */
  results: z.array(SearchResult),
  /** Absent when the index holds nothing further; a page may be short and still have one. */
  nextCursor: SearchCursor.optional(),
  /** Index entries this call read: at most the server's bound, whatever the history's size. */
  scanned: z.number().int().min(0),
});
export type SearchConversationsResponse = z.infer<typeof SearchConversationsResponse>;
