// The chat's message model, and how each stream event changes the assistant's message. Pure, so
// the streaming behaviour can be tested without a server.
import {
  StreamEvent,
  describeIssues,
  type ChatMessage,
  type FinishReason,
  type Usage,
} from '@colonycraft/protocol';
import type { UserError } from './errors.ts';

export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error';

export interface UserMessage {
  id: string;
  role: 'user';
  content: string;
}

export interface AssistantMessage {
  id: string;
  role: 'assistant';
  content: string;
  status: MessageStatus;
  finishReason?: FinishReason;
  usage?: Usage;
  error?: UserError;
}

export type ConversationMessage = UserMessage | AssistantMessage;

export function assistantPlaceholder(id: string): AssistantMessage {
  return { id, role: 'assistant', content: '', status: 'streaming' };
}

/** Validates one chunk from the callable; a malformed chunk becomes an `error` event. */
export function parseChunk(chunk: unknown): StreamEvent {
  const parsed = StreamEvent.safeParse(chunk);
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
        error: {
          summary: event.retryable
            ? 'The model stopped with an error. Try again.'
            : 'The model could not answer this.',
          detail: event.message,
          code: event.code,
        },
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
 * The history sent with the next request: every user message and every assistant answer that
 * has text, in order. Failed, empty answers are left out so they do not confuse the model.
 */
export function toHistory(messages: readonly ConversationMessage[]): ChatMessage[] {
  return messages
    .filter((m) => m.role === 'user' || m.content.length > 0)
    .map((m) => ({ role: m.role, content: m.content }));
}
