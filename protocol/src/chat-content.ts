// What a unified chat request may hold beyond plain text: content parts (text, images), tools
// and the calls an answer makes of them, tool results, structured-output requests and reasoning
// settings. Every provider adapter translates these to its own wire format and back.
import { z } from 'zod';

export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
export const ImageMediaType = z.enum(IMAGE_MEDIA_TYPES, {
  error: `must be one of ${IMAGE_MEDIA_TYPES.join(', ')}`,
});
export type ImageMediaType = z.infer<typeof ImageMediaType>;

export const TextPart = z.object({ type: z.literal('text'), text: z.string() });
export type TextPart = z.infer<typeof TextPart>;

/** An image the provider fetches itself (https only), or the image's bytes in base64. */
export const ImageSource = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('url'),
    url: z.url({ protocol: /^https$/, error: 'must be an https URL' }),
  }),
  z.object({
    type: z.literal('base64'),
    mediaType: ImageMediaType,
    data: z.base64('must be base64 data'),
  }),
]);
export type ImageSource = z.infer<typeof ImageSource>;

export const ImagePart = z.object({
  type: z.literal('image'),
  source: ImageSource,
  /** OpenAI's resolution hint; other providers ignore it. */
  detail: z.enum(['auto', 'low', 'high']).optional(),
});
export type ImagePart = z.infer<typeof ImagePart>;

export const ContentPart = z.discriminatedUnion('type', [TextPart, ImagePart]);
export type ContentPart = z.infer<typeof ContentPart>;

/** What both OpenAI and Anthropic accept as a function's name. */
export const ToolName = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, "_" or "-"');

/**
 * A JSON schema describing an object: what tool parameters and structured answers must be for
 * every provider. Its shape is checked as far as a translation depends on it; the rest passes.
 */
export const ObjectSchema = z
  .looseObject({
    type: z.literal('object', 'must be "object": the schema must describe a JSON object'),
    properties: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    required: z.array(z.string()).optional(),
  })
  .superRefine((schema, ctx) => {
    for (const [i, name] of (schema.required ?? []).entries()) {
      if (!schema.properties || !Object.hasOwn(schema.properties, name))
        ctx.addIssue({ code: 'custom', path: ['required', i], message: `names no property` });
    }
  });
export type ObjectSchema = z.infer<typeof ObjectSchema>;

export const ToolDefinition = z.object({
  name: ToolName,
  description: z.string().max(10_000).optional(),
  parameters: ObjectSchema,
  /** Ask the provider to hold the arguments to the schema exactly (OpenAI's strict mode). */
  strict: z.boolean().optional(),
});
export type ToolDefinition = z.infer<typeof ToolDefinition>;

/** `required`: some tool must be called; `{ name }`: that one. */
export const ToolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ name: ToolName }),
]);
export type ToolChoice = z.infer<typeof ToolChoice>;

/** A call an answer makes of a tool; `arguments` is JSON text, kept byte for byte. */
export const ToolCall = z.object({
  id: z.string().min(1).max(256),
  name: ToolName,
  arguments: z.string(),
});
export type ToolCall = z.infer<typeof ToolCall>;

/**
 * What an answer must be: text (the default), any JSON object (`json`), or JSON matching a
 * schema. Passed natively where the provider has it, by its documented equivalent otherwise.
 */
export const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json') }),
  z.object({
    type: z.literal('json-schema'),
    name: ToolName,
    description: z.string().max(10_000).optional(),
    schema: ObjectSchema,
    strict: z.boolean().optional(),
  }),
]);
export type ResponseFormat = z.infer<typeof ResponseFormat>;

export const ReasoningEffort = z.enum(['minimal', 'low', 'medium', 'high']);
export type ReasoningEffort = z.infer<typeof ReasoningEffort>;

/**
 * How hard a reasoning model thinks: an effort (OpenAI's `reasoning_effort`), or a budget of
 * thinking tokens (Anthropic's extended thinking). Either is translated into the other.
 */
export const ReasoningSettings = z.object({
  effort: ReasoningEffort.optional(),
  budgetTokens: z.number().int().min(1024).max(128_000).optional(),
});
export type ReasoningSettings = z.infer<typeof ReasoningSettings>;

/** An answer's reasoning, with the provider's signature that lets it be sent back (Anthropic). */
export const Reasoning = z.object({ text: z.string(), signature: z.string().optional() });
export type Reasoning = z.infer<typeof Reasoning>;

const SystemTurn = z.object({ role: z.literal('system'), content: z.string() });
const UserTurn = z.object({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(ContentPart).min(1, 'must hold at least one part')], {
    error: 'must be text or a list of text and image parts',
  }),
});
const AssistantTurn = z.object({
  role: z.literal('assistant'),
  content: z.string(),
  toolCalls: z.array(ToolCall).min(1).optional(),
  reasoning: Reasoning.optional(),
});
const ToolTurn = z.object({
  role: z.literal('tool'),
  /** The call this is the result of: an id among the tool calls of an earlier assistant turn. */
  toolCallId: z.string().min(1).max(256),
  content: z.string(),
  isError: z.boolean().optional(),
});

export const ChatRole = z.enum(['system', 'user', 'assistant', 'tool']);
export type ChatRole = z.infer<typeof ChatRole>;

export const ChatMessage = z.discriminatedUnion(
  'role',
  [SystemTurn, UserTurn, AssistantTurn, ToolTurn],
  { error: 'must be one of "system", "user", "assistant", "tool"' },
);
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A message's text: its string, or its text parts joined. */
export function textOf(message: ChatMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** The images a message holds. */
export function imagesOf(message: ChatMessage): ImagePart[] {
  if (typeof message.content === 'string') return [];
  return message.content.filter((part) => part.type === 'image');
}
