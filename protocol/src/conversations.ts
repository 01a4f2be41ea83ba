// Stored conversations and their messages, as the history callables return them, and the
// requests of those callables. Times are milliseconds since the epoch.
import { z } from 'zod';
import { FinishReason, ImageMediaType, ModelId, Usage, type ChatMessage } from './chat.js';
import { WithClientToken } from './token.js';
import { DisplayText, DocumentId } from './validation.js';

export const ConversationId = DocumentId('conversation');

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

export const MessageId = DocumentId('message');

const MessageBase = z.object({
  id: z.string().min(1),
  content: z.string(),
  createdAt: z.number().int(),
  /**
   * The message this one follows; null for a conversation's first. A question edited and a
   * regenerated answer are new messages beside the old ones, following the same message, so a
   * conversation is a tree and what it shows is one path through it (branches.ts).
   */
  parentId: z.string().nullable().optional(),
});

/** Most images one message of a conversation holds (the web lets a message carry as many). */
export const MAX_MESSAGE_IMAGES = 4;

/**
 * Largest image a conversation keeps, decoded. Each image is a Firestore document of its own,
 * whose limit is 1 MiB: the bytes and a few small fields fit well under it.
 */
export const MAX_STORED_IMAGE_BYTES = 768 * 1024;

/** The bytes that base64 `data` decodes to. */
export function base64Bytes(data: string): number {
  return Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
}

/** An image a user message holds: its bytes in base64, as the question carried them. */
export const StoredImage = z.object({
  id: z.string().min(1),
  mediaType: ImageMediaType,
  data: z.base64('must be base64 data'),
});
export type StoredImage = z.infer<typeof StoredImage>;

/** An image part a conversation can keep: the bytes themselves, small enough for a document. */
export const KeptImagePart = z.object({
  type: z.literal('image'),
  source: z.object({
    type: z.literal('base64', {
      error: 'must be base64 data: a conversation keeps the image itself, not its address',
    }),
    mediaType: ImageMediaType,
    data: z
      .base64('must be base64 data')
      .refine((data) => base64Bytes(data) <= MAX_STORED_IMAGE_BYTES, {
        error: (issue) =>
          `is an image of ${base64Bytes(String(issue.input))} bytes, larger than the ` +
          `${MAX_STORED_IMAGE_BYTES} a conversation keeps`,
      }),
  }),
  detail: z.enum(['auto', 'low', 'high']).optional(),
});

/**
 * The rule for a question a conversation will keep (its last user message): at most
 * MAX_MESSAGE_IMAGES images, each base64 and at most MAX_STORED_IMAGE_BYTES. Issues name the
 * field as the request spells it (`messages.2.content.1.source.data`).
 */
export function checkKeptImages(
  request: { messages: readonly ChatMessage[] },
  ctx: z.RefinementCtx,
): void {
  const i = request.messages.findLastIndex((m) => m.role === 'user');
  const content = request.messages[i]?.content;
  if (typeof content !== 'object') return;
  const images = content.filter((part) => part.type === 'image').length;
  if (images > MAX_MESSAGE_IMAGES) {
    ctx.addIssue({
      code: 'custom',
      path: ['messages', i, 'content'],
      message: `holds ${images} images; a conversation keeps at most ${MAX_MESSAGE_IMAGES} a message`,
    });
  }
  for (const [j, part] of content.entries()) {
    if (part.type !== 'image') continue;
    const parsed = KeptImagePart.safeParse(part);
    for (const issue of parsed.error?.issues ?? []) {
      const path = ['messages', i, 'content', j, ...issue.path.map(String)];
      ctx.addIssue({ code: 'custom', path, message: issue.message });
    }
  }
}

export const UserMessage = MessageBase.extend({
  role: z.literal('user'),
  /** The images the question carried, oldest first; absent when it had none. */
  images: z.array(StoredImage).max(MAX_MESSAGE_IMAGES).optional(),
});
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
  /** The conversation as shown: the path to its chosen last message, oldest first. */
  messages: z.array(StoredMessage),
  /**
   * The other versions: messages beside the path (an earlier question edited, an answer
   * regenerated) and what followed them, in the order they were written.
   */
  alternatives: z.array(StoredMessage).default([]),
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

/** Shows another version: the path through `leafId` becomes the conversation shown. */
export const SelectBranchRequest = WithClientToken.extend({
  conversationId: ConversationId,
  leafId: MessageId,
});
export type SelectBranchRequest = z.infer<typeof SelectBranchRequest>;

export const SelectBranchResponse = z.object({ leafId: MessageId });
export type SelectBranchResponse = z.infer<typeof SelectBranchResponse>;

/**
 * Deletes a turn: the question and every answer to it. What followed its answers follows the
 * question's own parent instead.
 */
export const DeleteTurnRequest = WithClientToken.extend({
  conversationId: ConversationId,
  questionId: MessageId,
});
export type DeleteTurnRequest = z.infer<typeof DeleteTurnRequest>;

export const DeleteTurnResponse = z.object({
  /** The ids deleted: the question and its answers. */
  deleted: z.array(MessageId),
  /** The conversation's shown last message now; absent when it has none left. */
  leafId: MessageId.optional(),
});
export type DeleteTurnResponse = z.infer<typeof DeleteTurnResponse>;
