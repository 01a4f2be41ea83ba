// The unified chat request and the unified stream of events that every provider speaks,
// whatever its own wire format.
import { z } from 'zod';
import {
  ChatMessage,
  Reasoning,
  ReasoningSettings,
  ResponseFormat,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from './chat-content.js';
import { DocumentId } from './validation.js';

export * from './chat-content.js';

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

export const ChatRequest = z
  .object({
    model: ModelRef,
    messages: z.array(ChatMessage).min(1, 'must hold at least one message'),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().positive().optional(),
    topP: z.number().min(0).max(1).optional(),
    stop: z.array(z.string().min(1)).max(4).optional(),
    tools: z.array(ToolDefinition).min(1, 'must hold at least one tool').max(128).optional(),
    toolChoice: ToolChoice.optional(),
    /** False: at most one tool call per answer. Default: the provider's (several allowed). */
    parallelToolCalls: z.boolean().optional(),
    responseFormat: ResponseFormat.optional(),
    reasoning: ReasoningSettings.optional(),
    /** Settings only one provider takes, passed on to it alone (others ignore them). */
    providerOptions: z
      .object({
        anthropic: z
          .object({
            /** Anthropic's beta features, sent as its `anthropic-beta` header. */
            beta: z
              .array(z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'must be a beta feature name'))
              .max(16)
              .optional(),
          })
          .optional(),
      })
      .optional(),
    conversationId: z.string().min(1).max(128).optional(),
    /**
     * With `conversationId`: the stored message this exchange's question follows, null for the
     * conversation's start. A question edited and sent again follows its original's parent, so
     * the original stays as another version. Unset: after the conversation's shown last message.
     */
    parentId: DocumentId('message').nullable().optional(),
    /**
     * With `conversationId`: the stored question this call answers again. Its new answer goes
     * beside the earlier ones; no question is stored again.
     */
    regenerates: DocumentId('message').optional(),
  })
  .superRefine(checkToolUse)
  .superRefine(checkPlacement);
export type ChatRequest = z.infer<typeof ChatRequest>;

/** Where in a stored conversation an exchange goes needs the conversation, and one place. */
function checkPlacement(
  request: {
    conversationId?: string | undefined;
    parentId?: string | null | undefined;
    regenerates?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  for (const field of ['parentId', 'regenerates'] as const) {
    if (request[field] !== undefined && request.conversationId === undefined)
      ctx.addIssue({ code: 'custom', path: [field], message: 'needs a conversationId' });
  }
  if (request.parentId !== undefined && request.regenerates !== undefined)
    ctx.addIssue({ code: 'custom', path: ['regenerates'], message: 'cannot go with parentId' });
}

/**
 * The rules of tool use every provider enforces, checked before any is called: tool names are
 * unique, a named tool choice is among the tools, and a tool result answers a call that an
 * earlier assistant turn made.
 */
function checkToolUse(
  request: {
    messages: ChatMessage[];
    tools?: ToolDefinition[] | undefined;
    toolChoice?: ToolChoice | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  const names = new Set<string>();
  for (const [i, tool] of (request.tools ?? []).entries()) {
    if (names.has(tool.name))
      ctx.addIssue({ code: 'custom', path: ['tools', i, 'name'], message: 'is used twice' });
    names.add(tool.name);
  }
  const choice = request.toolChoice;
  if (typeof choice === 'object' && !names.has(choice.name))
    ctx.addIssue({ code: 'custom', path: ['toolChoice', 'name'], message: 'names no tool' });
  if (choice === 'required' && names.size === 0)
    ctx.addIssue({ code: 'custom', path: ['toolChoice'], message: 'needs tools' });
  const calls = new Set<string>();
  for (const [i, message] of request.messages.entries()) {
    if (message.role === 'assistant')
      for (const call of message.toolCalls ?? []) calls.add(call.id);
    if (message.role === 'tool' && !calls.has(message.toolCallId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['messages', i, 'toolCallId'],
        message: 'answers no tool call of an earlier assistant message',
      });
    }
  }
}

export const FinishReason = z.enum([
  'stop',
  'length',
  'tool-calls',
  'content-filter',
  'cancelled',
  'error',
]);
export type FinishReason = z.infer<typeof FinishReason>;

/**
 * Tokens a call used. `inputTokens` is all input, cached or not (OpenAI's `prompt_tokens`;
 * Anthropic's `input_tokens` plus its cache counts); `outputTokens` is all output, reasoning
 * included. The details say how much of each was priced differently.
 */
export const Usage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** Input read from the provider's prompt cache (cheaper). */
  cachedInputTokens: z.number().int().nonnegative().optional(),
  /** Input written to the provider's prompt cache (dearer, Anthropic). */
  cacheWriteTokens: z.number().int().nonnegative().optional(),
  /** Output spent on reasoning, included in `outputTokens`. */
  reasoningTokens: z.number().int().nonnegative().optional(),
  /** True when the provider sent no usage and the tokens were counted locally. */
  estimated: z.boolean(),
});
export type Usage = z.infer<typeof Usage>;

/**
 * The answer as events. Tool calls are numbered in the answer's order (`index`, from 0): each
 * starts (id and name), streams its arguments' JSON text in deltas, and ends. Reasoning streams
 * apart from the text, never mixed into it.
 */
export const StreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text-delta'), text: z.string() }),
  z.object({ type: z.literal('reasoning-delta'), text: z.string() }),
  /** The provider's signature over the reasoning so far (Anthropic), to send it back later. */
  z.object({ type: z.literal('reasoning-signature'), signature: z.string() }),
  z.object({
    type: z.literal('tool-call-start'),
    index: z.number().int().nonnegative(),
    id: z.string(),
    name: z.string(),
  }),
  z.object({
    type: z.literal('tool-call-delta'),
    index: z.number().int().nonnegative(),
    argumentsDelta: z.string(),
  }),
  z.object({ type: z.literal('tool-call-end'), index: z.number().int().nonnegative() }),
  z.object({ type: z.literal('usage'), usage: Usage }),
  z.object({
    type: z.literal('finish'),
    reason: FinishReason,
    /** The stop sequence that ended the answer, where the provider says which (Anthropic). */
    stopSequence: z.string().optional(),
  }),
  z.object({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    retryable: z.boolean(),
  }),
]);
export type StreamEvent = z.infer<typeof StreamEvent>;

/**
 * What a chat callable streams: the answer's events, preceded, when the call is kept in a
 * conversation, by where: its id and the exchange's message ids, so that a client that stops
 * the answer still knows where it is kept and what its next question follows.
 */
export const ChatChunk = z.discriminatedUnion('type', [
  ...StreamEvent.options,
  z.object({
    type: z.literal('conversation'),
    conversationId: z.string(),
    /** The ids the exchange is stored under (the question's: absent when regenerating). */
    questionId: z.string().optional(),
    answerId: z.string().optional(),
  }),
]);
export type ChatChunk = z.infer<typeof ChatChunk>;

/** What a chat call returns once its stream has ended. */
export const ChatResult = z.object({
  /** The model that answered: for an alias, the target that served it. */
  model: ModelId,
  text: z.string(),
  toolCalls: z.array(ToolCall).optional(),
  reasoning: Reasoning.optional(),
  finishReason: FinishReason,
  /** The stop sequence that ended the answer, where the provider says which. */
  stopSequence: z.string().optional(),
  usage: Usage,
  /**
   * What the answer cost in USD, at the catalog's prices for the model that served it: the
   * figure its stored message keeps. The chat callables send it; absent where the model's
   * prices are not known.
   */
  costUsd: z.number().nonnegative().optional(),
  conversationId: z.string().optional(),
});
export type ChatResult = z.infer<typeof ChatResult>;
