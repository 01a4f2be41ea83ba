// The Anthropic stub's reading of a Messages request: the checks Anthropic makes before it answers
// (each a 400 invalid_request_error with Anthropic's `path: reason` message), and what the answer
// needs from the request.
import {
  countStubTokens,
  IMAGE_MEDIA_TYPES,
  isBase64,
  isRecord,
  STUB_IMAGE_TOKENS,
} from './provider-stub-core.js';

export interface MessagesRequest {
  model: string;
  maxTokens: number;
  stop: string[] | undefined;
  /** The text of the last user message, which the deterministic reply quotes. */
  lastUserText: string;
  /** System, message texts, tool inputs and results, and images; cache tokens are apart. */
  inputTokens: number;
  stream: boolean;
  /** `thinking` of type `enabled` or `adaptive`: the answer may hold a thinking block. */
  thinking: boolean;
  /** The tool `tool_choice` forces (`any`: the first), which an unscripted answer calls. */
  forcedTool: string | undefined;
}

type Block = Record<string, unknown>;

/** One turn: consecutive messages of one role, which Anthropic combines into a single turn. */
interface Turn {
  role: 'user' | 'assistant';
  blocks: { block: Block; path: string; message: number }[];
}

const DOCS = 'https://docs.claude.com/en/docs/build-with-claude/extended-thinking';
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** A string content is one text block. */
const blocksOf = (content: unknown): unknown[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : (content as unknown[]);

/** Text of a message `content` or of `system`: a string, or the text blocks of an array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) =>
      isRecord(block) && block.type === 'text' && typeof block.text === 'string' ? block.text : '',
    )
    .filter((text) => text.length > 0)
    .join('\n');
}

/** The text a message puts in the prompt: text blocks, tool results and tool inputs. */
function promptText(content: unknown): string {
  if (!Array.isArray(content)) return contentText(content);
  return content
    .map((block) => {
      if (!isRecord(block)) return '';
      if (block.type === 'tool_result') return contentText(block.content);
      if (block.type === 'tool_use') return JSON.stringify(block.input ?? {});
      return contentText([block]);
    })
    .filter((text) => text.length > 0)
    .join('\n');
}

function countImages(content: unknown): number {
  if (!Array.isArray(content)) return 0;
  return content.reduce<number>((sum, block) => {
    if (!isRecord(block)) return sum;
    if (block.type === 'image') return sum + 1;
    return block.type === 'tool_result' ? sum + countImages(block.content) : sum;
  }, 0);
}

function checkImage(block: Block, path: string): string | undefined {
  const { source } = block;
  if (!isRecord(source)) return `${path}.source: Field required`;
  if (source.type === 'base64') {
    if (!(IMAGE_MEDIA_TYPES as readonly unknown[]).includes(source.media_type)) {
      return `${path}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
    }
    if (typeof source.data !== 'string' || !isBase64(source.data)) {
      return `${path}.source.base64.data: The image data is not valid base64.`;
    }
    return undefined;
  }
  if (source.type === 'url') {
    if (typeof source.url !== 'string' || !source.url.startsWith('https://')) {
      return `${path}.source.url.url: Only https URLs are supported.`;
    }
    return undefined;
  }
  return source.type === 'file'
    ? undefined
    : `${path}.source: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`;
}

/** The fields each block type needs, the images inside tool results included. */
function checkBlock(block: unknown, path: string): string | undefined {
  if (!isRecord(block) || typeof block.type !== 'string') return `${path}.type: Field required`;
  const need = (field: string, ok: boolean) =>
    ok ? undefined : `${path}.${field}: Field required`;
  switch (block.type) {
    case 'text':
      return need('text', typeof block.text === 'string');
    case 'image':
      return checkImage(block, `${path}.image`);
    case 'tool_use':
      return (
        need('id', typeof block.id === 'string') ??
        need('name', typeof block.name === 'string') ??
        need('input', isRecord(block.input))
      );
    case 'tool_result': {
      const bad = need('tool_use_id', typeof block.tool_use_id === 'string');
      if (bad || !Array.isArray(block.content)) return bad;
      for (const [k, inner] of block.content.entries()) {
        const innerBad = checkBlock(inner, `${path}.content.${k}`);
        if (innerBad) return innerBad;
      }
      return undefined;
    }
    case 'thinking':
      return (
        need('thinking', typeof block.thinking === 'string') ??
        need('signature', typeof block.signature === 'string')
      );
    case 'redacted_thinking':
      return need('data', typeof block.data === 'string');
    default:
      return undefined;
  }
}

/**
 * The pairing of tools across turns: a user turn's tool results answer tool uses of the assistant
 * turn just before it, and an assistant turn's tool uses are all answered in the next turn.
 */
function checkToolPairing(turns: Turn[]): string | undefined {
  for (const [t, turn] of turns.entries()) {
    const before = turns[t - 1];
    const uses =
      before?.role === 'assistant' ? before.blocks.filter((b) => b.block.type === 'tool_use') : [];
    const useIds = new Set(uses.map((b) => b.block.id));
    for (const { block, path } of turn.blocks) {
      if (block.type !== 'tool_result' || useIds.has(block.tool_use_id)) continue;
      return `${path}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
    const answered = new Set(turn.blocks.map((b) => b.block.tool_use_id));
    const open = uses.filter((b) => !answered.has(b.block.id));
    if (open.length > 0) {
      const ids = open.map((b) => String(b.block.id)).join(', ');
      return `messages.${open[0]?.message}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${ids}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
  }
  return undefined;
}

/** Roles, blocks and tool pairing; consecutive messages of one role are one turn, as documented. */
function checkMessages(messages: Block[]): string | undefined {
  const turns: Turn[] = [];
  for (const [i, message] of messages.entries()) {
    const { role, content } = message;
    if (role === 'system') {
      return 'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.';
    }
    if (role !== 'user' && role !== 'assistant') {
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    }
    if (i === 0 && role !== 'user') return 'messages: first message must use the "user" role';
    if (typeof content !== 'string' && !Array.isArray(content)) {
      return `messages.${i}.content: Input should be a valid string or a list of content blocks`;
    }
    const last = turns.at(-1);
    const turn: Turn = last?.role === role ? last : { role, blocks: [] };
    if (turn !== last) turns.push(turn);
    for (const [j, block] of blocksOf(content).entries()) {
      const path = `messages.${i}.content.${j}`;
      const bad = checkBlock(block, path);
      if (bad) return bad;
      turn.blocks.push({ block: block as Block, path, message: i });
    }
  }
  return checkToolPairing(turns);
}

function checkSystem(system: unknown): string | undefined {
  if (system === undefined || typeof system === 'string') return undefined;
  if (!Array.isArray(system))
    return 'system: Input should be a valid string or a list of text blocks';
  const bad = system.findIndex(
    (b) => !isRecord(b) || b.type !== 'text' || typeof b.text !== 'string',
  );
  return bad === -1 ? undefined : `system.${bad}: Input should be a text block`;
}

/** The custom tools' names, or why a tool is refused; server tools (with a `type`) pass. */
function checkTools(tools: unknown): string[] | string {
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  const names: string[] = [];
  for (const [i, tool] of tools.entries()) {
    if (!isRecord(tool)) return `tools.${i}: Input should be a valid dictionary`;
    if (tool.type !== undefined && tool.type !== 'custom') continue;
    if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) {
      return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
    }
    if (!isRecord(tool.input_schema)) return `tools.${i}.custom.input_schema: Field required`;
    names.push(tool.name);
  }
  return names;
}

function checkToolChoice(choice: unknown, tools: string[]): string | undefined {
  if (choice === undefined) return undefined;
  if (!isRecord(choice) || !['auto', 'any', 'none', 'tool'].includes(choice.type as string)) {
    return "tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'";
  }
  const { disable_parallel_tool_use: disable } = choice;
  if (disable !== undefined && typeof disable !== 'boolean') {
    return `tool_choice.${String(choice.type)}.disable_parallel_tool_use: Input should be a valid boolean`;
  }
  if (choice.type !== 'tool') return undefined;
  if (typeof choice.name !== 'string') return 'tool_choice.tool.name: Field required';
  return tools.includes(choice.name)
    ? undefined
    : `tool_choice: Tool '${choice.name}' not found in the provided tools`;
}

/** Whether thinking is on, or why the thinking settings are refused. */
function checkThinking(body: Block, maxTokens: number): boolean | string {
  const { thinking } = body;
  if (thinking === undefined) return false;
  if (!isRecord(thinking)) return 'thinking: Input should be a valid dictionary';
  if (thinking.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || !Number.isInteger(budget)) {
      return 'thinking.enabled.budget_tokens: Field required';
    }
    if (budget < 1024) {
      return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    }
    if (budget >= maxTokens) {
      return `\`max_tokens\` must be greater than \`thinking.budget_tokens\`. Please consult our documentation at ${DOCS}#max-tokens-and-context-window-size`;
    }
  } else if (thinking.type !== 'adaptive') {
    return false;
  }
  if (body.temperature !== undefined && body.temperature !== 1) {
    return `\`temperature\` may only be set to 1 when thinking is enabled. Please consult our documentation at ${DOCS}#feature-compatibility`;
  }
  const choice = body.tool_choice;
  if (isRecord(choice) && (choice.type === 'any' || choice.type === 'tool')) {
    return 'Thinking may not be enabled when tool_choice forces tool use.';
  }
  return true;
}

/** Reads a parsed body as Anthropic does, or says why Anthropic would refuse it. */
export function readMessagesRequest(
  body: unknown,
): { request: MessagesRequest } | { invalid: string } {
  const invalid = (message: string) => ({ invalid: message });
  if (!isRecord(body)) return invalid('The request body is not valid JSON.');
  const { model, messages, max_tokens: maxTokens, stop_sequences: stopSequences } = body;
  if (typeof model !== 'string' || model.length === 0) return invalid('model: Field required');
  if (!Array.isArray(messages)) return invalid('messages: Field required');
  if (messages.length === 0) return invalid('messages: at least one message is required');
  if (maxTokens === undefined) return invalid('max_tokens: Field required');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return invalid('max_tokens: Input should be a valid integer greater than or equal to 1');
  }
  const notRecord = messages.findIndex((m) => !isRecord(m));
  if (notRecord !== -1)
    return invalid(`messages.${notRecord}.role: Input should be 'user' or 'assistant'`);
  if (
    stopSequences !== undefined &&
    !(Array.isArray(stopSequences) && stopSequences.every((s) => typeof s === 'string'))
  ) {
    return invalid('stop_sequences: Input should be a valid list of strings');
  }
  const typed = messages as Block[];
  const tools = checkTools(body.tools);
  if (typeof tools === 'string') return invalid(tools);
  const refusal =
    checkMessages(typed) ?? checkSystem(body.system) ?? checkToolChoice(body.tool_choice, tools);
  if (refusal) return invalid(refusal);
  if (body.metadata !== undefined && !isRecord(body.metadata)) {
    return invalid('metadata: Input should be a valid dictionary');
  }
  const { top_k: topK } = body;
  if (topK !== undefined && !(typeof topK === 'number' && Number.isInteger(topK) && topK >= 0)) {
    return invalid('top_k: Input should be a valid integer greater than or equal to 0');
  }
  const thinking = checkThinking(body, maxTokens);
  if (typeof thinking === 'string') return invalid(thinking);

  const texts = typed.map((m) => promptText(m.content));
  const system = contentText(body.system);
  const images = typed.reduce((sum, m) => sum + countImages(m.content), 0);
  const lastUser = typed.findLast((m) => m.role === 'user');
  return {
    request: {
      model,
      maxTokens,
      stop: stopSequences as string[] | undefined,
      lastUserText: lastUser ? contentText(lastUser.content) : '',
      inputTokens:
        countStubTokens((system ? [system, ...texts] : texts).join('\n')) +
        images * STUB_IMAGE_TOKENS,
      stream: body.stream === true,
      thinking,
      forcedTool: !isRecord(body.tool_choice)
        ? undefined
        : body.tool_choice.type === 'any'
          ? tools[0]
          : body.tool_choice.type === 'tool'
            ? String(body.tool_choice.name)
            : undefined,
    },
  };
}
