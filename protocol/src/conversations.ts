// Stored conversations and their messages, as the history callables return them, and the
// requests of those callables. Times are milliseconds since the epoch.
import { z } from 'zod';
import { FinishReason, ModelId, Usage } from './chat.js';
import { WithClientToken } from './token.js';
import { DisplayText } from './validation.js';

/**
 * A Firestore document id the gateway itself could have made. Refusing `/` keeps an id from
 * pointing into another path; refusing a leading `_` or `.` keeps clear of reserved ids.
 */
export const ConversationId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'must be a conversation id');

export const Conversation = z.object({
  id: ConversationId,
  title: z.string(),
  createdAt: z.number().int(),
  /** Time of the last exchange; the history lists newest first by it. A rename keeps it. */
  updatedAt: z.number().int(),
  messageCount: z.number().int().nonnegative(),
  lastModel: ModelId.optional(),
  systemPrompt: z.string().optional(),
});
export type Conversation = z.infer<typeof Conversation>;

export const MessageError = z.object({ code: z.string(), message: z.string() });
export type MessageError = z.infer<typeof MessageError>;

const MessageBase = z.object({
  id: z.string().min(1),
  content: z.string(),
  createdAt: z.number().int(),
});

export const UserMessage = MessageBase.extend({ role: z.literal('user') });
export type UserMessage = z.infer<typeof UserMessage>;

export const AssistantMessage = MessageBase.extend({
  role: z.literal('assistant'),
  model: ModelId,
  usage: Usage,
  costUsd: z.number().nonnegative(),
  latencyMs: z.number().int().nonnegative(),
  finishReason: FinishReason,
  /** False when the stream was cut, failed or was cancelled: `content` is what arrived. */
  complete: z.boolean(),
  error: MessageError.optional(),
});
export type AssistantMessage = z.infer<typeof AssistantMessage>;

export const StoredMessage = z.discriminatedUnion('role', [UserMessage, AssistantMessage]);
export type StoredMessage = z.infer<typeof StoredMessage>;

export const ConversationTitle = DisplayText()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

export const ListConversationsRequest = WithClientToken.extend({
  pageSize: z.number().int().min(1).max(100).default(20),
  /**
   * `nextCursor` of the previous page; opaque. Null means the first page, as absent does: the
   * firebase client SDK sends an `undefined` field as null.
   */
  cursor: z
    .string()
    .min(1)
    .max(512)
    .nullish()
    .transform((cursor) => cursor ?? undefined),
});
export type ListConversationsRequest = z.input<typeof ListConversationsRequest>;

export const ListConversationsResponse = z.object({
  conversations: z.array(Conversation),
  /** Absent on the last page. */
  nextCursor: z.string().optional(),
});
export type ListConversationsResponse = z.infer<typeof ListConversationsResponse>;

export const GetConversationRequest = WithClientToken.extend({ conversationId: ConversationId });
export type GetConversationRequest = z.infer<typeof GetConversationRequest>;

export const GetConversationResponse = z.object({
  conversation: Conversation,
  /** Oldest first, in the order they were written. */
  messages: z.array(StoredMessage),
});
export type GetConversationResponse = z.infer<typeof GetConversationResponse>;

export const RenameConversationRequest = WithClientToken.extend({
  conversationId: ConversationId,
  title: ConversationTitle,
});
export type RenameConversationRequest = z.infer<typeof RenameConversationRequest>;

export const RenameConversationResponse = z.object({ conversation: Conversation });
export type RenameConversationResponse = z.infer<typeof RenameConversationResponse>;

export const DeleteConversationRequest = WithClientToken.extend({
  conversationId: ConversationId,
});
export type DeleteConversationRequest = z.infer<typeof DeleteConversationRequest>;

export const DeleteConversationResponse = z.object({ deleted: z.literal(true) });
export type DeleteConversationResponse = z.infer<typeof DeleteConversationResponse>;
