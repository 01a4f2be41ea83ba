// OpenAI's Chat Completions request, validated with zod and turned into the unified request:
// content parts and images, tools and tool results, structured output and reasoning effort.
// The unified request's own rules (image types, tool use, schemas) are checked once, in
// protocol, and a failure names the field as OpenAI's request spells it. What would change
// what the answer is and cannot be honoured (several choices, log probabilities, audio, the
// deprecated `functions`) is refused naming the field; tuning we do not pass on (seed,
// penalties, logit_bias, metadata, …) is ignored.
import { z } from 'zod';
import {
  ChatRequest,
  ModelRef,
  describeIssues,
  type ChatMessage,
  type ContentPart,
  type ResponseFormat,
  type ToolChoice,
} from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const ImageUrlPart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const unsupportedPart = z.object({ type: z.string() }).transform((part, ctx) => {
  ctx.addIssue({ code: 'custom', message: `"${part.type}" parts are not supported` });
  return z.NEVER;
});
const Text = z.union([z.string(), z.array(z.union([TextPart, unsupportedPart]))]);
const Parts = z.union([z.string(), z.array(z.union([TextPart, ImageUrlPart, unsupportedPart]))]);

const ToolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const Message = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer']), content: Text }),
  z.object({ role: z.literal('user'), content: Parts }),
  z.object({
    role: z.literal('assistant'),
    content: Text.nullish(),
    tool_calls: z.array(ToolCall).nullish(),
  }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string(), content: Text }),
]);

const Tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const ResponseFormatField = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

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
  tools: z.array(Tool).nullish(),
  tool_choice: z
    .union([
      z.enum(['auto', 'none', 'required']),
      z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
    ])
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: ResponseFormatField.nullish(),
  reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).nullish(),
  functions: refused('is deprecated: use "tools"'),
  function_call: refused('is deprecated: use "tool_choice"'),
  logprobs: refused('log probabilities are not supported', (value) => value === false),
  top_logprobs: refused('log probabilities are not supported'),
  modalities: refused(
    'only text answers are supported',
    (value) => Array.isArray(value) && value.every((m) => m === 'text'),
  ),
  audio: refused('audio answers are not supported'),
});
export type CompletionRequest = z.infer<typeof CompletionRequest>;

const DATA_URL = /^data:([\w/+.-]+);base64,(.*)$/s;

/** An `image_url` as the unified image: `data:` URLs carry the image, others are fetched. */
function imagePart({ url, detail }: z.infer<typeof ImageUrlPart>['image_url']): ContentPart {
  const data = DATA_URL.exec(url);
  const source = data
    ? { type: 'base64' as const, mediaType: data[1] as never, data: data[2]! }
    : { type: 'url' as const, url };
  return { type: 'image', source, ...(detail ? { detail } : {}) };
}

function text(content: z.infer<typeof Text> | null | undefined): string {
  if (content == null) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

function toMessage(m: z.infer<typeof Message>): ChatMessage {
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: text(m.content) };
    case 'user':
      return {
        role: 'user',
        content:
          typeof m.content === 'string'
            ? m.content
            : m.content.map((part) => (part.type === 'text' ? part : imagePart(part.image_url))),
      };
    case 'assistant':
      return {
        role: 'assistant',
        content: text(m.content),
        ...(m.tool_calls?.length
          ? {
              toolCalls: m.tool_calls.map((c) => ({
                id: c.id,
                name: c.function.name,
                arguments: c.function.arguments,
              })),
            }
          : {}),
      };
    case 'tool':
      return { role: 'tool', toolCallId: m.tool_call_id, content: text(m.content) };
  }
}

function toolChoice(choice: NonNullable<CompletionRequest['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

function responseFormat(format: NonNullable<CompletionRequest['response_format']>): ResponseFormat {
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json' };
    case 'json_schema': {
      const { name, description, schema, strict } = format.json_schema;
      return {
        type: 'json-schema',
        name,
        ...(description !== undefined ? { description } : {}),
        // OpenAI takes a missing schema as any object.
        schema: (schema ?? { type: 'object' }) as never,
        ...(strict != null ? { strict } : {}),
      };
    }
  }
}

/** The unified request's field names as OpenAI's request spells them, for a 400's `param`. */
const OPENAI_NAMES: Record<string, string> = {
  toolCallId: 'tool_call_id',
  toolCalls: 'tool_calls',
  toolChoice: 'tool_choice',
  responseFormat: 'response_format',
  maxTokens: 'max_tokens',
  topP: 'top_p',
  parallelToolCalls: 'parallel_tool_calls',
  reasoning: 'reasoning_effort',
};

function openaiPath(path: readonly PropertyKey[]): string {
  const out: string[] = [];
  for (const [i, key] of path.entries()) {
    const name = String(key);
    const parent = path[i - 1];
    const grandparent = path[i - 2];
    if (
      grandparent === 'tools' &&
      (name === 'name' || name === 'parameters' || name === 'description')
    )
      out.push('function', name);
    else if (parent === 'toolChoice' && name === 'name') out.push('function', 'name');
    else if (parent === 'responseFormat' && name !== 'type') out.push('json_schema', name);
    else if (grandparent === 'toolCalls' && (name === 'name' || name === 'arguments'))
      out.push('function', name);
    else if (path[i - 3] === 'content' && parent === 'source') out.push('image_url', 'url');
    else if (name === 'source' && grandparent === 'content') continue;
    else out.push(OPENAI_NAMES[name] ?? name);
  }
  return out.join('.');
}

export function parseCompletionRequest(body: unknown): {
  completion: CompletionRequest;
  request: ChatRequest;
} {
  const parsed = CompletionRequest.safeParse(body);
  if (!parsed.success) throw new GatewayError('invalid-argument', describeIssues(parsed.error));
  const c = parsed.data;
  const maxTokens = c.max_completion_tokens ?? c.max_tokens;
  const unified = ChatRequest.safeParse({
    model: c.model,
    messages: c.messages.map(toMessage),
    ...(c.temperature != null ? { temperature: c.temperature } : {}),
    ...(c.top_p != null ? { topP: c.top_p } : {}),
    ...(maxTokens != null ? { maxTokens } : {}),
    ...(c.stop != null ? { stop: typeof c.stop === 'string' ? [c.stop] : c.stop } : {}),
    // An empty list is no tools, as OpenAI's SDKs send it.
    ...(c.tools?.length
      ? {
          tools: c.tools.map(({ function: f }) => ({
            name: f.name,
            ...(f.description !== undefined ? { description: f.description } : {}),
            // OpenAI takes a missing or empty schema as a function without parameters.
            parameters:
              f.parameters && Object.keys(f.parameters).length > 0
                ? f.parameters
                : { type: 'object', properties: {} },
            ...(f.strict != null ? { strict: f.strict } : {}),
          })),
        }
      : {}),
    ...(c.tool_choice != null ? { toolChoice: toolChoice(c.tool_choice) } : {}),
    ...(c.parallel_tool_calls != null ? { parallelToolCalls: c.parallel_tool_calls } : {}),
    ...(c.response_format != null ? { responseFormat: responseFormat(c.response_format) } : {}),
    ...(c.reasoning_effort != null ? { reasoning: { effort: c.reasoning_effort } } : {}),
  });
  if (!unified.success) {
    throw new GatewayError('invalid-argument', describeIssues(unified.error, openaiPath));
  }
  return { completion: c, request: unified.data };
}
