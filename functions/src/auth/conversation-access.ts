// What a client token may do with its subject's conversations. A person's own sign-in (a token
// without `key`) reaches all of their own; an API key's token reaches what its key's scopes
// grant: nothing, `conversations` (read: list, get) or `conversations:write` (also rename,
// delete, and keep chats in them). Conversations are a person's history, and a key is handed
// to programs, so a key that does not name them gets none.
import {
  CONVERSATION_SCOPES,
  type ClientTokenClaims,
  type ConversationAccess,
} from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';

export function conversationAccess(
  claims: Pick<ClientTokenClaims, 'key' | 'conversations'>,
): ConversationAccess | 'none' {
  if (claims.key === undefined) return 'write';
  return claims.conversations ?? 'none';
}

/** Throws permission-denied, naming the scope the key lacks, unless the token may `need`. */
export function requireConversationAccess(
  claims: Pick<ClientTokenClaims, 'key' | 'conversations'>,
  need: ConversationAccess,
): void {
  const has = conversationAccess(claims);
  if (has === 'write' || has === need) return;
  throw new GatewayError(
    'permission-denied',
    `conversations: this API key's token has no ${CONVERSATION_SCOPES[need]} scope`,
  );
}
