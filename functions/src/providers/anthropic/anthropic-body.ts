// The unified request as Anthropic's Messages request. System messages become the one top-level
// system prompt; tool results become `tool_result` blocks of a user turn, and consecutive turns
// of one role merge, as the API requires; a JSON answer is asked for by a forced tool (the
// documented way for every Claude model); reasoning becomes extended thinking with a budget.
import type Anthropic from '@anthropic-ai/sdk';
import { textOf, type ChatMessage, type ContentPart } from '@colonycraft/protocol';
import { ProviderError, type ProviderRequest } from '../provider.js';
import { budgetOf } from '../reasoning.js';

type Block = Anthropic.ContentBlockParam;

/** The tool a JSON answer is asked through, when the request names no schema of its own. */
export const JSON_ANSWER_TOOL = 'json_answer';

/** The forced tool that carries the answer of a request for JSON, if it asks for JSON. */
export function answerToolOf(request: Pick<ProviderRequest, 'responseFormat'>) {
  const format = request.responseFormat;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json') {
    return {
      name: JSON_ANSWER_TOOL,
      description: 'Answer with a JSON object.',
      input_schema: { type: 'object' as const },
    };
  }
  return {
    name: format.name,
    description: format.description ?? 'Answer with a JSON object matching this schema.',
    input_schema: format.schema,
  };
}

function toBlock(part: ContentPart): Block {
  if (part.type === 'text') return part;
  const { source } = part;
  return {
    type: 'image',
    source:
      source.type === 'url'
        ? { type: 'url', url: source.url }
        : { type: 'base64', media_type: source.mediaType, data: source.data },
  };
}

/** A tool call's arguments as the object Anthropic takes; arguments that are not one are refused. */
function inputOf(id: string, args: string, where: string): unknown {
  try {
    const input: unknown = JSON.parse(args === '' ? '{}' : args);
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) return input;
  } catch {
    // refused below
  }
  throw new ProviderError(id, `${where}: must be a JSON object for Anthropic`, {
    status: 400,
    code: 'invalid_request_error',
  });
}

function blocksOf(id: string, m: ChatMessage, i: number): Block[] {
  switch (m.role) {
    case 'system':
      return [];
    case 'user':
      return typeof m.content === 'string'
        ? [{ type: 'text', text: m.content }]
        : m.content.map(toBlock);
    case 'assistant':
      return [
        // A signed reasoning goes back as it came, which Anthropic requires in a tool loop.
        ...(m.reasoning?.signature
          ? [
              {
                type: 'thinking' as const,
                thinking: m.reasoning.text,
                signature: m.reasoning.signature,
              },
            ]
          : []),
        // Anthropic refuses empty text blocks.
        ...(m.content ? [{ type: 'text' as const, text: m.content }] : []),
        ...(m.toolCalls ?? []).map((call, n) => ({
          type: 'tool_use' as const,
          id: call.id,
          name: call.name,
          input: inputOf(id, call.arguments, `messages.${i}.toolCalls.${n}.arguments`),
        })),
      ];
    case 'tool':
      return [
        {
          type: 'tool_result',
          tool_use_id: m.toolCallId,
          content: m.content,
          ...(m.isError ? { is_error: true } : {}),
        },
      ];
  }
}

/** The turns, with a tool's result in a user turn and consecutive turns of one role merged. */
function turnsOf(id: string, messages: readonly ChatMessage[]): Anthropic.MessageParam[] {
  const turns: { role: 'user' | 'assistant'; blocks: Block[]; text?: string }[] = [];
  for (const [i, m] of messages.entries()) {
    if (m.role === 'system') continue;
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(id, m, i);
    const last = turns.at(-1);
    if (last?.role === role) {
      last.blocks.push(...blocks);
      delete last.text;
    } else {
      // A lone plain question goes as a string, as it always did.
      const plain = m.role === 'user' && typeof m.content === 'string' ? m.content : undefined;
      turns.push({ role, blocks, ...(plain !== undefined ? { text: plain } : {}) });
    }
  }
  return turns.map(({ role, blocks, text }) => ({ role, content: text ?? blocks }));
}

/**
 * Extended thinking for a request that asks for reasoning, within its output maximum (thinking
 * counts towards it, and Anthropic takes at least 1,024 tokens). None when a tool is forced,
 * which Anthropic refuses with thinking, or when an earlier tool call's turn came back without
 * its signed thinking (from a client that cannot carry it), which Anthropic would refuse too.
 */
function thinkingOf(request: ProviderRequest, maxTokens: number, forced: boolean) {
  if (!request.reasoning || forced) return undefined;
  const unsigned = request.messages.some(
    (m) => m.role === 'assistant' && m.toolCalls && !m.reasoning?.signature,
  );
  const budget = Math.min(budgetOf(request.reasoning), maxTokens - 1);
  if (unsigned || budget < 1024) return undefined;
  return { type: 'enabled' as const, budget_tokens: budget };
}

function toolChoiceOf(request: ProviderRequest): Anthropic.ToolChoice | undefined {
  const { tools, toolChoice: choice, parallelToolCalls } = request;
  if (!tools || (choice === undefined && parallelToolCalls !== false)) return undefined;
  const parallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === undefined || choice === 'auto') return { type: 'auto', ...parallel };
  if (choice === 'required') return { type: 'any', ...parallel };
  return { type: 'tool', name: choice.name, ...parallel };
}

export function anthropicBody(id: string, request: ProviderRequest, defaultMaxTokens: number) {
  const system = request.messages
    .filter((m) => m.role === 'system')
    .map(textOf)
    .join('\n\n');
  const maxTokens = request.maxTokens ?? defaultMaxTokens;
  const answerTool = answerToolOf(request);
  const tools = [
    ...(request.tools ?? []).map((tool) => ({
      name: tool.name,
      input_schema: tool.parameters as Anthropic.Tool.InputSchema,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
    })),
    ...(answerTool ? [answerTool as Anthropic.Tool] : []),
  ];
  const toolChoice: Anthropic.ToolChoice | undefined = answerTool
    ? { type: 'tool', name: answerTool.name }
    : toolChoiceOf(request);
  const thinking = thinkingOf(
    request,
    maxTokens,
    toolChoice?.type === 'tool' || toolChoice?.type === 'any',
  );
  return {
    model: request.model,
    ...(system ? { system } : {}),
    messages: turnsOf(id, request.messages),
    max_tokens: maxTokens,
    // No temperature or top_p: they are gone from the request types of the API version this
    // SDK speaks (2026-10-21), so the request's sampling settings are not sent at all.
    stop_sequences: request.stop,
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice ? { tool_choice: toolChoice } : {}),
    ...(thinking ? { thinking } : {}),
    stream: true,
  } satisfies Anthropic.MessageCreateParamsStreaming;
}
