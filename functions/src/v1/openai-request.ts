// The subset of OpenAI's Chat Completions request that ColonyCraft serves, validated with zod
// and turned into the unified request. What would change what the answer is, and we cannot
// honour (several choices, images, tools, JSON answers, log probabilities, audio), is refused
// naming the field rather than silently ignored. Tuning we do not pass on (seed, penalties,
// logit_bias, reasoning_effort, metadata, …) is ignored: the answer is still a text answer.
import { z } from 'zod';
import { ChatRequest, ModelRef, describeIssues, type ChatMessage } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const Content = z.union([
  z.string(),
  z.array(
    z.union([
      TextPart,
      z.object({ type: z.string() }).transform((_part, ctx) => {
        ctx.addIssue({ code: 'custom', message: 'only text parts are supported' });
        return z.NEVER;
      }),
    ]),
  ),
]);

const Message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: Content.nullable(),
});

const isEmptyList = (value: unknown): boolean => Array.isArray(value) && value.length === 0;

/** A field whose use we cannot honour: absent, null or `allowed` passes; anything else is refused. */
const refused = (message: string, allowed: (value: unknown) => boolean = () => false) =>
  z
    .unknown()
    .refine((value) => value == null || allowed(value), message)
    .optional();

export const CompletionRequest = z.object({
  model: ModelRef,
  messages: z.array(Message).min(1, 'must hold at least one message'),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(4)]).nullish(),
  n: z.literal(1, 'only one choice (n = 1) is supported').nullish(),
  user: z.string().optional(),
  tools: refused('tool calls are not supported', isEmptyList),
  tool_choice: refused('tool calls are not supported', (value) => value === 'none'),
  functions: refused('function calls are not supported', isEmptyList),
  function_call: refused('function calls are not supported', (value) => value === 'none'),
  response_format: refused(
    'only text answers are supported (type "text")',
    (value) => (value as { type?: unknown }).type === 'text',
  ),
  logprobs: refused('log probabilities are not supported', (value) => value === false),
  top_logprobs: refused('log probabilities are not supported'),
  modalities: refused(
    'only text answers are supported',
    (value) => Array.isArray(value) && value.every((m) => m === 'text'),
  ),
  audio: refused('audio answers are not supported'),
});
export type CompletionRequest = z.infer<typeof CompletionRequest>;

function text(content: z.infer<typeof Content> | null): string {
  if (content === null) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

export function parseCompletionRequest(body: unknown): {
  completion: CompletionRequest;
  request: ChatRequest;
} {
  const parsed = CompletionRequest.safeParse(body);
  if (!parsed.success) throw new GatewayError('invalid-argument', describeIssues(parsed.error));
  const c = parsed.data;
  const messages: ChatMessage[] = c.messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: text(m.content),
  }));
  const maxTokens = c.max_completion_tokens ?? c.max_tokens;
  const request = ChatRequest.parse({
    model: c.model,
    messages,
    ...(c.temperature != null ? { temperature: c.temperature } : {}),
    ...(c.top_p != null ? { topP: c.top_p } : {}),
    ...(maxTokens != null ? { maxTokens } : {}),
    ...(c.stop != null ? { stop: typeof c.stop === 'string' ? [c.stop] : c.stop } : {}),
  });
  return { completion: c, request };
}
