// The unified chat request and the unified stream of events that every provider speaks,
// whatever its own wire format.
import { z } from 'zod';

export const ChatRole = z.enum(['system', 'user', 'assistant']);
export type ChatRole = z.infer<typeof ChatRole>;

export const ChatMessage = z.object({
  role: ChatRole,
  content: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** `provider/model`, for example `openai/gpt-4o-mini` or `local/echo`. */
export const ModelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*\/\S+$/, 'must look like "provider/model", for example "local/echo"');
export type ModelId = z.infer<typeof ModelId>;

/** What a request may name: a model id, or an alias for a fallback chain such as `smart`. */
export const ModelRef = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]*(\/\S+)?$/,
    'must be "provider/model" (for example "local/echo") or an alias such as "smart"',
  );
export type ModelRef = z.infer<typeof ModelRef>;

export function splitModelId(id: ModelId): { provider: string; model: string } {
  const slash = id.indexOf('/');
  return { provider: id.slice(0, slash), model: id.slice(slash + 1) };
}

export const ChatRequest = z.object({
  model: ModelRef,
  messages: z.array(ChatMessage).min(1, 'must hold at least one message'),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
  topP: z.number().min(0).max(1).optional(),
  stop: z.array(z.string().min(1)).max(4).optional(),
  conversationId: z.string().min(1).max(128).optional(),
  /**
   * With `conversationId`: how many of its stored messages this request builds on. Those after
   * them are replaced by this exchange: a regenerated answer, or a question edited and resent.
   * Unset, or past the stored messages (the turn before may still be being stored), the
   * exchange is appended.
   */
  replaceFrom: z.number().int().nonnegative().optional(),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

export const FinishReason = z.enum(['stop', 'length', 'content-filter', 'cancelled', 'error']);
export type FinishReason = z.infer<typeof FinishReason>;

export const Usage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** True when the provider sent no usage and the tokens were counted locally. */
  estimated: z.boolean(),
});
export type Usage = z.infer<typeof Usage>;

export const StreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text-delta'), text: z.string() }),
  z.object({ type: z.literal('usage'), usage: Usage }),
  z.object({ type: z.literal('finish'), reason: FinishReason }),
  z.object({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    retryable: z.boolean(),
  }),
]);
export type StreamEvent = z.infer<typeof StreamEvent>;

/**
 * What a chat callable streams: the answer's events, preceded, when the call starts a new
 * conversation, by its id, so that a client that stops the answer still knows where it is kept.
 */
export const ChatChunk = z.discriminatedUnion('type', [
  ...StreamEvent.options,
  z.object({ type: z.literal('conversation'), conversationId: z.string() }),
]);
export type ChatChunk = z.infer<typeof ChatChunk>;

/** What a chat call returns once its stream has ended. */
export const ChatResult = z.object({
  /** The model that answered: for an alias, the target that served it. */
  model: ModelId,
  text: z.string(),
  finishReason: FinishReason,
  usage: Usage,
  conversationId: z.string().optional(),
});
export type ChatResult = z.infer<typeof ChatResult>;
