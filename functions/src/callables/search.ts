// History search: the caller's own conversations whose title or a message holds every word of
// the query (conversations/search-index.ts). A reader, like listConversations: an API key's
// token needs the `conversations` scope. The request is checked (query, page size, cursor)
// before anything is read; conversations stored before the index are indexed first, a few per
// call (search-backfill.ts).
import {
  SearchConversationsRequest,
  type SearchConversationsResponse,
} from '@colonycraft/protocol';
import { db } from '../firebase.js';
import { backfillSearchIndex } from '../conversations/search-backfill.js';
import * as index from '../conversations/search-index.js';
import { conversationReader, defineCallable } from './define-callable.js';

export const searchConversations = defineCallable({
  caller: conversationReader,
  input: SearchConversationsRequest,
  handle: async (
    { query, pageSize, cursor },
    { caller: { sub: uid } },
  ): Promise<SearchConversationsResponse> => {
    // Conversations from before the index are indexed first, a few per call.
    await backfillSearchIndex(db(), uid);
    return index.searchConversations(db(), uid, { query, pageSize, cursor });
  },
});
