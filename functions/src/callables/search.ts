// History search: the caller's own conversations whose title or a message holds every word of
// the query (conversations/search-index.ts). A reader, like listConversations: an API key's
// token needs the `conversations` scope. The request is checked (query, page size, cursor)
// before anything is read.
import {
  SearchConversationsRequest,
  type SearchConversationsResponse,
} from '@colonycraft/protocol';
import { db } from '../firebase.js';
import * as index from '../conversations/search-index.js';
import { conversationReader, defineCallable } from './define-callable.js';

export const searchConversations = defineCallable({
  caller: conversationReader,
  input: SearchConversationsRequest,
  handle: (
    { query, pageSize, cursor },
    { caller: { sub: uid } },
  ): Promise<SearchConversationsResponse> =>
    index.searchConversations(db(), uid, { query, pageSize, cursor }),
});
