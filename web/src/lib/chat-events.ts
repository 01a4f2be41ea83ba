// The chat's message model, and how each stream event changes the assistant's message. Pure, so
// the streaming behaviour can be tested without a server.
import {
  ChatChunk,
  describeIssues,
  type ChatMessage,
  type ChatResult,
  type ContentPart,
  type FinishReason,
  type ImageMediaType,
  type StoredMessage,
  type StreamEvent,
  type Usage,
} from '@colonycraft/protocol';
import { toUserError, type UserError } from './errors.ts';

export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error';

/** An image a question carried: its bytes in base64. */
export interface MessageImage {
  id: string;
  mediaType: ImageMediaType;
  data: string;
  /** What the image is, for its alt text (the file's name while it is on screen). */
  name?: string;
}

export interface UserMessage {
  id: string;
  role: 'user';
  content: string;
  images?: MessageImage[];
  /** The message this one follows (branches.ts); null for a conversation's first. */
  parentId?: string | null;
  /** The id it was first shown under, kept once it takes the server's: its place on screen. */
  key?: string;
}

/** Most images a request may hold (the gateway's GATEWAY_MAX_IMAGES): older ones are left out. */
export const MAX_REQUEST_IMAGES = 20;

export interface AssistantMessage {
  id: string;
  role: 'assistant';
  content: string;
  /** The question this answers. */
  parentId?: string | null;
  /** The id it was first shown under, kept once it takes the server's: its place on screen. */
  key?: string;
  status: MessageStatus;
  finishReason?: FinishReason;
  usage?: Usage;
  /** The model that answered: for an alias, the target that served it. */
  model?: string;
  /**
   * Computed by the server from the catalog's prices: in a stored answer, and in a live one's
   * final result once it ends.
   */
  costUsd?: number;
  error?: UserError;
}

export type ConversationMessage = UserMessage | AssistantMessage;

export function assistantPlaceholder(id: string): AssistantMessage {
  return { id, role: 'assistant', content: '', status: 'streaming' };
}

/** Validates one chunk from the callable; a malformed chunk becomes an `error` event. */
export function parseChunk(chunk: unknown): ChatChunk {
  const parsed = ChatChunk.safeParse(chunk);
  if (parsed.success) return parsed.data;
  return {
    type: 'error',
    code: 'invalid-chunk',
    message: `The server sent an unexpected chunk: ${describeIssues(parsed.error)}`,
    retryable: false,
  };
}

function finishStatus(current: MessageStatus, reason: FinishReason): MessageStatus {
  // An error reported earlier in the stream outlives the finish event that follows it.
  if (current === 'error' || reason === 'error') return 'error';
  return reason === 'cancelled' ? 'stopped' : 'done';
}

/** The assistant message after one more stream event. */
export function applyStreamEvent(message: AssistantMessage, event: StreamEvent): AssistantMessage {
  switch (event.type) {
    case 'text-delta':
      return { ...message, content: message.content + event.text };
    // The chat asks for neither tools nor reasoning, so it shows neither (yet).
    case 'reasoning-delta':
    case 'reasoning-signature':
    case 'tool-call-start':
    case 'tool-call-delta':
    case 'tool-call-end':
      return message;
    case 'usage':
      return { ...message, usage: event.usage };
    case 'finish':
      return {
        ...message,
        finishReason: event.reason,
        status: finishStatus(message.status, event.reason),
      };
    case 'error':
      return {
        ...message,
        status: 'error',
        error: toUserError(
          event.retryable
            ? 'The model stopped with an error. Try again.'
            : 'The model could not answer this.',
          event.message,
          event.code,
        ),
      };
  }
}

/** Folds a whole stream into the final message (used by tests and for replays). */
export function reduceStream(
  message: AssistantMessage,
  events: Iterable<StreamEvent>,
): AssistantMessage {
  let current = message;
  for (const event of events) current = applyStreamEvent(current, event);
  return current;
}

/** Closes a message whose stream ended without a `finish` event. */
export function settle(message: AssistantMessage): AssistantMessage {
  return message.status === 'streaming' ? { ...message, status: 'done' } : message;
}

/**
 * Fills in what only the call's final result says: the model that served an alias, say, and
 * what the answer cost.
 */
export function withResult(
  message: AssistantMessage,
  result: ChatResult | undefined,
): AssistantMessage {
  if (!result) return message;
  return {
    ...message,
    content: message.content || result.text,
    usage: message.usage ?? result.usage,
    finishReason: message.finishReason ?? result.finishReason,
    model: result.model,
    // The live answer's cost, as its stored message will show it after a reload.
    ...(result.costUsd !== undefined ? { costUsd: result.costUsd } : {}),
  };
}

/**
 * The history sent with the next request: the system prompt when there is one, then every user
 * message and every assistant answer that has text, in order. Failed, empty answers are left
 * out so they do not confuse the model.
 */
export function toHistory(
  messages: readonly ConversationMessage[],
  systemPrompt = '',
): ChatMessage[] {
  const system: ChatMessage[] = systemPrompt.trim()
    ? [{ role: 'system', content: systemPrompt.trim() }]
    : [];
  // The newest images go with the request; past the gateway's limit the older keep their text.
  let images = MAX_REQUEST_IMAGES;
  const turns = messages
    .filter((m) => m.role === 'user' || m.content.length > 0)
    .reverse()
    .map((m): ChatMessage => {
      if (m.role !== 'user' || !m.images?.length || images <= 0) {
        return { role: m.role, content: m.content };
      }
      const sent = m.images.slice(0, images);
      images -= sent.length;
      const parts: ContentPart[] = sent.map(({ mediaType, data }) => ({
        type: 'image',
        source: { type: 'base64', mediaType, data },
      }));
      return { role: 'user', content: [{ type: 'text', text: m.content }, ...parts] };
    })
    .reverse();
  return [...system, ...turns];
}

function storedStatus(message: Extract<StoredMessage, { role: 'assistant' }>): MessageStatus {
  if (message.complete) return 'done';
  return message.finishReason === 'cancelled' ? 'stopped' : 'error';
}

/** A message as the history callables return it, as the chat shows it. */
export function fromStored(message: StoredMessage): ConversationMessage {
  if (message.role === 'user') {
    const { id, content, images, parentId = null } = message;
    return { id, role: 'user', content, parentId, ...(images?.length ? { images } : {}) };
  }
  const status = storedStatus(message);
  return {
    id: message.id,
    role: 'assistant',
    content: message.content,
    parentId: message.parentId ?? null,
    status,
    finishReason: message.finishReason,
    usage: message.usage,
    model: message.model,
    costUsd: message.costUsd,
    ...(status === 'error'
      ? {
          error: toUserError(
            'This answer was cut off by an error.',
            message.error?.message,
            message.error?.code,
          ),
        }
      : {}),
  };
}
