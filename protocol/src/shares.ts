// Shared conversations: a read-only snapshot of a conversation as it was shown when its owner
// shared it, reachable by anyone holding its link, until the owner revokes it. The requests of
// the share callables and what they answer (docs/sharing.md). Times are ms since the epoch.
import { z } from 'zod';
import { ImageMediaType, ModelId } from './chat.js';
import { ConversationId, MAX_MESSAGE_IMAGES } from './conversations.js';
import { WithClientToken } from './token.js';

/**
 * A share's id: a Firestore auto id, 20 characters of [A-Za-z0-9] (about 119 random bits), so
 * a link cannot be guessed. Nothing else is one, so a malformed id never reaches Firestore.
 */
export const ShareId = z.string().regex(/^[A-Za-z0-9]{20}$/, 'must be a share id');
export type ShareId = z.infer<typeof ShareId>;

/** A share as its owner sees it in their list. */
export const Share = z.object({
  id: ShareId,
  conversationId: ConversationId,
  /** The conversation's title when it was shared; a later rename does not change it. */
  title: z.string(),
  /** When the snapshot was taken. */
  createdAt: z.number().int(),
  messageCount: z.number().int().nonnegative(),
});
export type Share = z.infer<typeof Share>;

/** An image of a shared message, its bytes in base64. */
export const SharedImage = z.object({
  id: z.string().min(1),
  mediaType: ImageMediaType,
  data: z.base64('must be base64 data'),
});
export type SharedImage = z.infer<typeof SharedImage>;

/**
 * One message of a snapshot: what was shown, without the owner's costs, usage or latencies.
 * `model` is the model that answered (assistant messages only).
 */
export const SharedMessage = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  createdAt: z.number().int(),
  model: ModelId.optional(),
  images: z.array(SharedImage).max(MAX_MESSAGE_IMAGES).optional(),
});
export type SharedMessage = z.infer<typeof SharedMessage>;

export const CreateShareRequest = WithClientToken.extend({ conversationId: ConversationId });
export type CreateShareRequest = z.infer<typeof CreateShareRequest>;

export const CreateShareResponse = z.object({
  share: Share,
  /** False when the conversation was already shared: that share is returned, unchanged. */
  created: z.boolean(),
});
export type CreateShareResponse = z.infer<typeof CreateShareResponse>;

export const ListSharesRequest = WithClientToken.extend({
  /** Only this conversation's share. Null means every share, as absent does (the client SDK
   *  sends an `undefined` field as null). */
  conversationId: ConversationId.nullish().transform((id) => id ?? undefined),
});
export type ListSharesRequest = z.input<typeof ListSharesRequest>;

export const ListSharesResponse = z.object({
  /** Newest first. */
  shares: z.array(Share),
});
export type ListSharesResponse = z.infer<typeof ListSharesResponse>;

export const RevokeShareRequest = WithClientToken.extend({ shareId: ShareId });
export type RevokeShareRequest = z.infer<typeof RevokeShareRequest>;

export const RevokeShareResponse = z.object({ revoked: z.literal(true) });
export type RevokeShareResponse = z.infer<typeof RevokeShareResponse>;

/** Anyone's request, signed in or not: the link's id is the whole credential. */
export const GetSharedConversationRequest = z.object({ shareId: ShareId });
export type GetSharedConversationRequest = z.infer<typeof GetSharedConversationRequest>;

export const GetSharedConversationResponse = z.object({
  share: Share.pick({ id: true, title: true, createdAt: true, messageCount: true }),
  /** Oldest first, as the conversation showed them. */
  messages: z.array(SharedMessage),
});
export type GetSharedConversationResponse = z.infer<typeof GetSharedConversationResponse>;
