// The OpenAI stub's reading of a Chat Completions request: the checks OpenAI makes before it
// answers (each a 400 with OpenAI's message, param and code), and what the answer needs from it.
import {
  countStubTokens,
  IMAGE_MEDIA_TYPES,
  isBase64,
  isRecord,
  STUB_IMAGE_TOKENS,
} from './provider-stub-core.js';

/** A refusal, as OpenAI words it in `{ error: { message, param, code } }`. */
export interface OpenAIInvalid {
  message: string;
  param: string | null;
  code: string | null;
}

export interface ChatRequest {
  model: string;
  maxTokens: number | undefined;
  stop: string[];
  /** The text of the last user message, which the deterministic reply quotes. */
  lastUserText: string;
  /** Message texts, earlier tool-call arguments and images; cache tokens come on top. */
  promptTokens: number;
  stream: boolean;
  includeUsage: boolean;
  /** The tool `tool_choice` forces (`required`: the first), which an unscripted answer calls. */
  forcedTool: string | undefined;
}

type Message = Record<string, unknown>;

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];
const TOOL_CHOICES = ['none', 'auto', 'required'];
const RESPONSE_FORMATS = ['text', 'json_object', 'json_schema'];
const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const invalid = (message: string, param: string | null, code: string | null = null) => ({
  message,
  param,
  code,
});
const missing = (param: string) =>
  invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
const notOneOf = (param: string, value: unknown, allowed: readonly string[]) => {
  const quoted = allowed.map((v) => `'${v}'`);
  const list = `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
  return invalid(
    `Invalid value: '${String(value)}'. Supported values are: ${list}.`,
    param,
    'invalid_value',
  );
};

/** Text of a message `content`: a string, or the text parts of an array of parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .filter((text) => text.length > 0)
    .join('\n');
}

const imageParts = (content: unknown) =>
  Array.isArray(content) ? content.filter((p) => isRecord(p) && p.type === 'image_url') : [];

/** An image URL is https, or a base64 data URL of one of the four image types. */
function checkImageUrl(url: unknown, param: string): OpenAIInvalid | undefined {
  if (typeof url !== 'string') return missing(param);
  const data = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(url);
  if (data) {
    const [, mediaType = '', base64, payload = ''] = data;
    if (!(IMAGE_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
      return invalid(
        `Invalid '${param}'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got unsupported MIME type '${mediaType}'.`,
        param,
        'invalid_value',
      );
    }
    if (!base64 || !isBase64(payload)) {
      return invalid(
        `Invalid '${param}'. Expected a base64-encoded data URL with an image MIME type, but got a value that is not valid base64.`,
        param,
        'invalid_value',
      );
    }
    return undefined;
  }
  if (!url.startsWith('https://')) {
    return invalid(
      `Invalid '${param}'. Expected an https URL or a base64-encoded data URL.`,
      param,
      'invalid_value',
    );
  }
  return undefined;
}

function checkContent(content: unknown, at: string): OpenAIInvalid | undefined {
  if (!Array.isArray(content)) return undefined;
  for (const [j, part] of content.entries()) {
    const param = `${at}.content[${j}]`;
    if (!isRecord(part) || typeof part.type !== 'string') return missing(`${param}.type`);
    if (part.type === 'text' && typeof part.text !== 'string') return missing(`${param}.text`);
    if (part.type === 'image_url') {
      const image = part.image_url;
      const bad = checkImageUrl(isRecord(image) ? image.url : undefined, `${param}.image_url.url`);
      if (bad) return bad;
    }
  }
  return undefined;
}

const unanswered = (index: number, ids: Set<string>) =>
  invalid(
    `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...ids].join(', ')}`,
    `messages.[${index}].role`,
  );

/**
 * Roles, content parts, and the tool-call pairing: a tool message answers a call of an earlier
 * assistant message, and every call is answered before the next user or assistant message.
 */
function checkMessages(messages: Message[]): OpenAIInvalid | undefined {
  const calls = new Set<string>();
  let open: { index: number; ids: Set<string> } | undefined;
  for (const [i, message] of messages.entries()) {
    const { role } = message;
    if (!ROLES.includes(role as string)) return notOneOf(`messages[${i}].role`, role, ROLES);
    const bad = checkContent(message.content, `messages[${i}]`);
    if (bad) return bad;
    if (role === 'tool') {
      const id = message.tool_call_id;
      if (typeof id !== 'string') return missing(`messages[${i}].tool_call_id`);
      if (!calls.has(id)) {
        return invalid(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${i}].role`,
        );
      }
      open?.ids.delete(id);
      continue;
    }
    if ((role === 'user' || role === 'assistant') && open && open.ids.size > 0) {
      return unanswered(open.index, open.ids);
    }
    open = undefined;
    if (role !== 'assistant' || message.tool_calls == null) continue;
    if (!Array.isArray(message.tool_calls)) return missing(`messages[${i}].tool_calls`);
    open = { index: i, ids: new Set() };
    for (const [j, call] of message.tool_calls.entries()) {
      const param = `messages[${i}].tool_calls[${j}]`;
      if (!isRecord(call) || typeof call.id !== 'string') return missing(`${param}.id`);
      const fn = call.function;
      if (!isRecord(fn) || typeof fn.name !== 'string') return missing(`${param}.function.name`);
      if (typeof fn.arguments !== 'string') return missing(`${param}.function.arguments`);
      calls.add(call.id);
      open.ids.add(call.id);
    }
  }
  return open && open.ids.size > 0 ? unanswered(open.index, open.ids) : undefined;
}

/** The function tools' names, or a refusal for an empty list or a nameless tool. */
function checkTools(tools: unknown): { names: string[] } | OpenAIInvalid {
  if (tools === undefined) return { names: [] };
  if (!Array.isArray(tools))
    return invalid("Invalid type for 'tools': expected an array.", 'tools');
  if (tools.length === 0) {
    return invalid(
      "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'tools',
      'empty_array',
    );
  }
  const names: string[] = [];
  for (const [i, tool] of tools.entries()) {
    if (!isRecord(tool)) return missing(`tools[${i}].type`);
    if (tool.type === 'custom') continue;
    if (tool.type !== 'function')
      return notOneOf(`tools[${i}].type`, tool.type, ['function', 'custom']);
    const fn = tool.function;
    if (!isRecord(fn) || typeof fn.name !== 'string') return missing(`tools[${i}].function.name`);
    if (!NAME.test(fn.name)) {
      return invalid(
        `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        `tools[${i}].function.name`,
        'invalid_value',
      );
    }
    names.push(fn.name);
  }
  return { names };
}

function checkToolChoice(choice: unknown, tools: string[] | undefined): OpenAIInvalid | undefined {
  if (choice === undefined || choice === 'none' || choice === 'auto') return undefined;
  const noTools = invalid(
    "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
    'tool_choice',
  );
  if (typeof choice === 'string') {
    if (!TOOL_CHOICES.includes(choice)) return notOneOf('tool_choice', choice, TOOL_CHOICES);
    return tools ? undefined : noTools;
  }
  if (!isRecord(choice) || choice.type !== 'function') return undefined;
  const name = isRecord(choice.function) ? choice.function.name : undefined;
  if (typeof name !== 'string') return missing('tool_choice.function.name');
  if (!tools) return noTools;
  if (!tools.includes(name)) {
    return invalid(
      `Invalid 'tool_choice': no function named '${name}' was found in 'tools'.`,
      'tool_choice.function.name',
      'invalid_value',
    );
  }
  return undefined;
}

function checkResponseFormat(format: unknown): OpenAIInvalid | undefined {
  if (format == null) return undefined;
  if (!isRecord(format)) return missing('response_format.type');
  if (!RESPONSE_FORMATS.includes(format.type as string)) {
    return notOneOf('response_format.type', format.type, RESPONSE_FORMATS);
  }
  if (format.type !== 'json_schema') return undefined;
  const schema = format.json_schema;
  if (!isRecord(schema)) return missing('response_format.json_schema');
  if (typeof schema.name !== 'string') return missing('response_format.json_schema.name');
  if (!NAME.test(schema.name)) {
    return invalid(
      "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
      'response_format.json_schema.name',
      'invalid_value',
    );
  }
  if (schema.schema !== undefined && !isRecord(schema.schema)) {
    return invalid(
      "Invalid type for 'response_format.json_schema.schema': expected an object.",
      'response_format.json_schema.schema',
      'invalid_type',
    );
  }
  return undefined;
}

function positiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** Reads a parsed body as OpenAI does, or says why OpenAI would refuse it. */
export function readChatRequest(body: unknown): { request: ChatRequest } | OpenAIInvalid {
  if (!isRecord(body)) {
    return invalid(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
      null,
    );
  }
  const { model, messages } = body;
  if (typeof model !== 'string' || model.length === 0) {
    return invalid('you must provide a model parameter', null);
  }
  if (!Array.isArray(messages)) return missing('messages');
  if (messages.length === 0) {
    return invalid(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  const badIndex = messages.findIndex((m) => !isRecord(m) || typeof m.role !== 'string');
  if (badIndex !== -1) return missing(`messages[${badIndex}].role`);
  const limit = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  if (limit !== undefined && !positiveInt(limit)) {
    const param = body.max_completion_tokens == null ? 'max_tokens' : 'max_completion_tokens';
    return invalid(`Invalid '${param}': must be a positive integer.`, param, 'invalid_value');
  }
  const { stop } = body;
  const stops: unknown[] = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : [];
  if (stop != null && !stops.every((s) => typeof s === 'string')) {
    return invalid("Invalid 'stop': expected a string or an array of strings.", 'stop', null);
  }
  const typed = messages as Message[];
  const tools = checkTools(body.tools);
  if ('message' in tools) return tools;
  const refusal =
    checkMessages(typed) ??
    checkToolChoice(body.tool_choice, body.tools === undefined ? undefined : tools.names) ??
    checkResponseFormat(body.response_format);
  if (refusal) return refusal;
  if (body.parallel_tool_calls != null && typeof body.parallel_tool_calls !== 'boolean') {
    return invalid(
      "Invalid type for 'parallel_tool_calls': expected a boolean.",
      'parallel_tool_calls',
      'invalid_type',
    );
  }
  const effort = body.reasoning_effort;
  if (effort != null && !REASONING_EFFORTS.includes(effort as string)) {
    return notOneOf('reasoning_effort', effort, REASONING_EFFORTS);
  }

  const texts = typed.map((m) => {
    const calls = Array.isArray(m.tool_calls) ? (m.tool_calls as unknown[]) : [];
    const args = calls.map((c) =>
      isRecord(c) && isRecord(c.function) ? c.function.arguments : '',
    );
    return [contentText(m.content), ...args].join('\n');
  });
  const images = typed.reduce((sum, m) => sum + imageParts(m.content).length, 0);
  const lastUser = typed.findLast((m) => m.role === 'user');
  const streamOptions = body.stream_options;
  return {
    request: {
      model,
      maxTokens: limit,
      stop: stops as string[],
      lastUserText: lastUser ? contentText(lastUser.content) : '',
      promptTokens: countStubTokens(texts.join('\n')) + images * STUB_IMAGE_TOKENS,
      stream: body.stream === true,
      includeUsage: isRecord(streamOptions) && streamOptions.include_usage === true,
      forcedTool:
        body.tool_choice === 'required'
          ? tools.names[0]
          : isRecord(body.tool_choice) && isRecord(body.tool_choice.function)
            ? String(body.tool_choice.function.name)
            : undefined,
    },
  };
}
