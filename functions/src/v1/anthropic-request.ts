// Anthropic's Messages request, validated with zod and turned into the unified request. A user
// turn's `tool_result` blocks become tool messages (in order) and its other blocks one user
// message after them; an assistant turn's `tool_use` blocks become its tool calls (their input
// as JSON text) and its signed `thinking` block its reasoning. The unified request's own rules
// are checked once, in protocol, and a failure names the field as Anthropic's request spells it
// (`messages.N.content.M.tool_use_id`), whatever the unified message's index is.
import { z } from 'zod';
import {
  ChatRequest,
  ModelRef,
  describeIssues,
  type ChatMessage,
  type ContentPart,
  type ToolCall,
  type ToolChoice,
} from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';

const CacheControl = { cache_control: z.unknown().optional() };
const TextBlock = z.object({
  type: z.literal('text'),
  text: z.string(),
  citations: z.unknown().optional(),
  ...CacheControl,
});
const ImageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
    z.object({ type: z.literal('url'), url: z.string() }),
  ]),
  ...CacheControl,
});
const ToolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.record(z.string(), z.unknown()),
  ...CacheControl,
});
/** Blocks of these types, and a 400 naming the block for any other type. */
const blocks = <
  T extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]],
>(
  options: T,
  where: string,
) =>
  z.discriminatedUnion('type', options, {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `"${String((issue.input as { type?: unknown } | undefined)?.type)}" blocks are not supported ${where}`
        : undefined,
  });
const ToolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(blocks([TextBlock], 'in a tool result'))]).optional(),
  is_error: z.boolean().optional(),
  ...CacheControl,
});
const ThinkingBlock = z.object({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string(),
});
const RedactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

const UserBlock = blocks([TextBlock, ImageBlock, ToolResultBlock], 'in a user turn');
const AssistantBlock = blocks(
  [TextBlock, ToolUseBlock, ThinkingBlock, RedactedThinkingBlock],
  'in an assistant turn',
);

const Message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(UserBlock)]) }),
  z.object({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(AssistantBlock)]),
  }),
]);

const Tool = z.object({
  type: z.literal('custom', 'only custom tools are supported (no server tools)').optional(),
  name: z.string(),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
  ...CacheControl,
});

const ToolChoiceField = z.discriminatedUnion('type', [
  z.object({
    type: z.enum(['auto', 'any']),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.object({ type: z.literal('none') }),
  z.object({
    type: z.literal('tool'),
    name: z.string(),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
]);

// `display` is accepted and not passed on: thinking comes back summarized, as it does by default.
const Thinking = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('enabled'),
    budget_tokens: z.number().int(),
    display: z.unknown().optional(),
  }),
  z.object({ type: z.literal('adaptive'), display: z.unknown().optional() }),
  z.object({ type: z.literal('disabled') }),
]);

/** Thinking as the unified reasoning: a budget, or (adaptive: the model decides) medium effort. */
function reasoningOf(thinking: z.infer<typeof Thinking> | undefined) {
  if (thinking?.type === 'enabled') return { reasoning: { budgetTokens: thinking.budget_tokens } };
  if (thinking?.type === 'adaptive') return { reasoning: { effort: 'medium' } };
  return {};
}

const Fields = {
  model: ModelRef,
  system: z.union([z.string(), z.array(TextBlock)]).optional(),
  messages: z.array(Message).min(1, 'must hold at least one message'),
  tools: z.array(Tool).optional(),
  tool_choice: ToolChoiceField.optional(),
  thinking: Thinking.optional(),
};

export const MessagesRequest = z.object({
  ...Fields,
  max_tokens: z.number({ error: 'is required: a positive integer' }).int().positive(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  // Accepted and not passed on: the unified request has no top_k (nor OpenAI a field for it).
  top_k: z.number().int().nonnegative().optional(),
  metadata: z.object({ user_id: z.string().nullish() }).optional(),
  stream: z.boolean().optional(),
});
export type MessagesRequest = z.infer<typeof MessagesRequest>;

/** `count_tokens` takes the request without its output settings. */
export const CountTokensRequest = z.object(Fields);
type Counted = z.infer<typeof CountTokensRequest> & Partial<MessagesRequest>;

type Block = z.infer<typeof UserBlock> | z.infer<typeof AssistantBlock>;
const blocksOf = <B extends Block>(
  content: string | B[],
): (B | { type: 'text'; text: string })[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : content;

const textOf = (blocks: readonly { text: string }[]): string => blocks.map((b) => b.text).join('');

function imagePart(source: z.infer<typeof ImageBlock>['source']): ContentPart {
  return {
    type: 'image',
    source:
      source.type === 'url'
        ? { type: 'url', url: source.url }
        : { type: 'base64', mediaType: source.media_type as never, data: source.data },
  };
}

/**
 * Where each unified message came from, as Anthropic's request spells it: `system`,
 * `messages.N` or, for a tool message, its `tool_result` block `messages.N.content.M`; and for
 * each part of a user message, the block it came from.
 */
interface Origin {
  path: string;
  parts?: number[];
}

function toMessages(c: Counted): { messages: ChatMessage[]; origins: Origin[] } {
  const messages: ChatMessage[] = [];
  const origins: Origin[] = [];
  const push = (message: ChatMessage, origin: Origin) => {
    messages.push(message);
    origins.push(origin);
  };
  const system = typeof c.system === 'string' ? c.system : textOf(c.system ?? []);
  if (system) push({ role: 'system', content: system }, { path: 'system' });
  for (const [i, m] of c.messages.entries()) {
    const path = `messages.${i}`;
    if (m.role === 'user') {
      const parts: ContentPart[] = [];
      const from: number[] = [];
      for (const [j, block] of blocksOf(m.content).entries()) {
        if (block.type === 'tool_result') {
          const content = block.content ?? '';
          push(
            {
              role: 'tool',
              toolCallId: block.tool_use_id,
              content: typeof content === 'string' ? content : textOf(content),
              ...(block.is_error ? { isError: true } : {}),
            },
            { path: `${path}.content.${j}` },
          );
        } else {
          parts.push(
            block.type === 'text' ? { type: 'text', text: block.text } : imagePart(block.source),
          );
          from.push(j);
        }
      }
      if (parts.length > 0) {
        // A plain question stays a string, as it came.
        const content = typeof m.content === 'string' ? m.content : parts;
        push({ role: 'user', content }, { path, parts: from });
      }
      continue;
    }
    const blocks = blocksOf(m.content);
    const toolCalls: ToolCall[] = blocks
      .filter((b) => b.type === 'tool_use')
      .map((b) => ({ id: b.id, name: b.name, arguments: JSON.stringify(b.input) }));
    // Redacted thinking has nowhere to go in the unified request, and is left out; a request
    // with tool calls whose thinking is not signed is then sent to Anthropic without thinking.
    const thinking = blocks.find((b) => b.type === 'thinking');
    push(
      {
        role: 'assistant',
        content: textOf(blocks.filter((b) => b.type === 'text')),
        ...(toolCalls.length > 0 ? { toolCalls } : {}),
        ...(thinking
          ? {
              reasoning: {
                text: thinking.thinking,
                ...(thinking.signature ? { signature: thinking.signature } : {}),
              },
            }
          : {}),
      },
      { path },
    );
  }
  return { messages, origins };
}

function toolChoice(choice: NonNullable<Counted['tool_choice']>): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { name: choice.name };
  }
}

/** The unified request's field names as Anthropic's request spells them. */
const ANTHROPIC_NAMES: Record<string, string> = {
  toolChoice: 'tool_choice',
  maxTokens: 'max_tokens',
  topP: 'top_p',
  stop: 'stop_sequences',
  parameters: 'input_schema',
  reasoning: 'thinking',
  budgetTokens: 'budget_tokens',
  parallelToolCalls: 'tool_choice',
};

/** Spells a unified path in Anthropic's words, mapping each message back to its origin. */
function spellerFor(origins: readonly Origin[]) {
  return (path: readonly PropertyKey[]): string => {
    if (path[0] !== 'messages' || typeof path[1] !== 'number')
      return path.map((key) => ANTHROPIC_NAMES[String(key)] ?? String(key)).join('.');
    const origin = origins[path[1]];
    if (!origin) return path.join('.');
    const [, , field, index, ...rest] = path;
    if (field === 'toolCallId') return `${origin.path}.tool_use_id`;
    if (field === 'content' && typeof index === 'number' && origin.parts) {
      const tail = rest.map((key) => (key === 'mediaType' ? 'media_type' : String(key)));
      return [`${origin.path}.content.${origin.parts[index] ?? index}`, ...tail].join('.');
    }
    if (field === 'toolCalls') return `${origin.path}.content`;
    return [origin.path, ...path.slice(2).map(String)].filter(Boolean).join('.');
  };
}

export interface ParsedMessages {
  messages: MessagesRequest;
  request: ChatRequest;
  /** Spells a unified path (`messages.3.content.1`) as the Anthropic request does. */
  spell(path: readonly PropertyKey[]): string;
}

function invalid(error: z.ZodError, spell?: (path: readonly PropertyKey[]) => string): never {
  throw new GatewayError('invalid-argument', describeIssues(error, spell));
}

function unify(c: Counted): { request: ChatRequest; spell: ParsedMessages['spell'] } {
  const { messages, origins } = toMessages(c);
  const spell = spellerFor(origins);
  const choice = c.tool_choice;
  const serial = choice?.type !== 'none' && choice?.disable_parallel_tool_use === true;
  const unified = ChatRequest.safeParse({
    model: c.model,
    messages,
    ...(c.max_tokens !== undefined ? { maxTokens: c.max_tokens } : {}),
    ...(c.temperature !== undefined ? { temperature: c.temperature } : {}),
    ...(c.top_p !== undefined ? { topP: c.top_p } : {}),
    ...(c.stop_sequences?.length ? { stop: c.stop_sequences } : {}),
    ...(c.tools?.length
      ? {
          tools: c.tools.map((tool) => ({
            name: tool.name,
            ...(tool.description !== undefined ? { description: tool.description } : {}),
            parameters: tool.input_schema,
          })),
        }
      : {}),
    ...(choice ? { toolChoice: toolChoice(choice) } : {}),
    ...(serial ? { parallelToolCalls: false } : {}),
    ...reasoningOf(c.thinking),
  });
  if (!unified.success) invalid(unified.error, spell);
  return { request: unified.data, spell };
}

/** `beta`: the request's `anthropic-beta` header, passed on to Anthropic models. */
export function parseMessagesRequest(body: unknown, beta?: string): ParsedMessages {
  const parsed = MessagesRequest.safeParse(body);
  if (!parsed.success) invalid(parsed.error);
  const { request, spell } = unify(parsed.data);
  const betas =
    beta
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean) ?? [];
  if (betas.length === 0) return { messages: parsed.data, request, spell };
  const withBeta = ChatRequest.safeParse({
    ...request,
    providerOptions: { anthropic: { beta: betas } },
  });
  if (!withBeta.success) {
    throw new GatewayError(
      'invalid-argument',
      `anthropic-beta: ${withBeta.error.issues[0]?.message}`,
    );
  }
  return { messages: parsed.data, request: withBeta.data, spell };
}

export function parseCountTokensRequest(body: unknown): ChatRequest {
  const parsed = CountTokensRequest.safeParse(body);
  if (!parsed.success) invalid(parsed.error);
  return unify(parsed.data).request;
}
