// Scripted replies for the provider stub: what a test asks the next answer to hold (text,
// reasoning, tool calls, usage extras), and the plan both wire formats render it from, so the
// same reply streams the same content chunks and counts the same tokens in either format.
import {
  countStubTokens,
  isRecord,
  planText,
  splitStubChunks,
  stubReply,
} from './provider-stub-core.js';
import type { ReplyPlan } from './provider-stub-core.js';

/** One answer, queued with `stub.reply(...)` or sent as JSON in the `x-stub-reply` header. */
export interface StubReply {
  /** The answer's text; default: the deterministic `stubReply`. '' for none (only tool calls). */
  text?: string;
  /**
   * Reasoning text: Anthropic streams it as a `thinking` block (with a `signature_delta` and a
   * non-empty signature) before the text, only when the request enabled thinking; the OpenAI
   * format streams it as `delta.reasoning_content` (what DeepSeek/vLLM-style compatible servers
   * send) and answers it as `message.reasoning_content`.
   */
  reasoning?: string;
  /**
   * Tool calls, in order, after the text. `arguments` is the exact JSON text (it may be invalid
   * JSON on purpose). `id` defaults to `call_<request id>_<index>` (OpenAI) or
   * `toolu_<request id>_<index>` (Anthropic).
   */
  toolCalls?: { id?: string; name: string; arguments: string }[];
  /** Usage extras, counted in the format's own fields. */
  usage?: { cachedInputTokens?: number; cacheWriteTokens?: number; reasoningTokens?: number };
  /**
   * OpenAI streaming only: the first delta of every tool call in ONE chunk (several entries in
   * `delta.tool_calls`), as some servers send them; default one tool call per chunk.
   */
  toolCallsInOneChunk?: boolean;
}

export type StubReplyUsage = NonNullable<StubReply['usage']>;

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

const optional = (value: unknown, check: (v: unknown) => boolean) =>
  value === undefined || check(value);

/** Checks a reply that came from outside (the `x-stub-reply` header), without zod. */
export function parseReply(value: unknown): { reply: StubReply } | { error: string } {
  if (!isRecord(value)) return { error: 'a reply must be a JSON object' };
  const { text, reasoning, toolCalls, usage, toolCallsInOneChunk } = value;
  const isString = (v: unknown) => typeof v === 'string';
  if (!optional(text, isString)) return { error: 'text must be a string' };
  if (!optional(reasoning, isString)) return { error: 'reasoning must be a string' };
  if (!optional(toolCallsInOneChunk, (v) => typeof v === 'boolean'))
    return { error: 'toolCallsInOneChunk must be a boolean' };
  if (toolCalls !== undefined && !Array.isArray(toolCalls))
    return { error: 'toolCalls must be an array' };
  const calls: NonNullable<StubReply['toolCalls']> = [];
  for (const [index, call] of (toolCalls ?? []).entries()) {
    if (
      !isRecord(call) ||
      typeof call.name !== 'string' ||
      call.name === '' ||
      typeof call.arguments !== 'string' ||
      !optional(call.id, (id) => typeof id === 'string' && id !== '')
    ) {
      return {
        error: `toolCalls[${index}] must have a name, arguments as a string and an optional id`,
      };
    }
    const { id, name } = call;
    calls.push({
      ...(id === undefined ? {} : { id: id as string }),
      name,
      arguments: call.arguments,
    });
  }
  if (usage !== undefined && !isRecord(usage)) return { error: 'usage must be an object' };
  const counts: StubReplyUsage = {};
  for (const key of ['cachedInputTokens', 'cacheWriteTokens', 'reasoningTokens'] as const) {
    const count = usage?.[key];
    if (!optional(count, isCount)) return { error: `usage.${key} must be an integer >= 0` };
    if (count !== undefined) counts[key] = count as number;
  }
  return {
    reply: {
      ...(text === undefined ? {} : { text: text as string }),
      ...(reasoning === undefined ? {} : { reasoning: reasoning as string }),
      ...(toolCalls === undefined ? {} : { toolCalls: calls }),
      ...(usage === undefined ? {} : { usage: counts }),
      ...(toolCallsInOneChunk === undefined ? {} : { toolCallsInOneChunk: !!toolCallsInOneChunk }),
    },
  };
}

/** Characters in one streamed fragment of tool-call arguments. */
const FRAGMENT_CHARS = 6;

/**
 * Splits tool-call arguments into the fragments the stub streams: a few characters each (whole
 * code points), so that `fragments.join('')` is exactly `text` and clients must assemble them.
 */
export function splitStubFragments(text: string): string[] {
  const points = Array.from(text);
  const fragments: string[] = [];
  for (let i = 0; i < points.length; i += FRAGMENT_CHARS) {
    fragments.push(points.slice(i, i + FRAGMENT_CHARS).join(''));
  }
  return fragments;
}

export interface StubToolCall {
  id: string;
  name: string;
  arguments: string;
  fragments: string[];
}

/** One answer as both formats render it. */
export interface AnswerPlan {
  text: ReplyPlan;
  /** Empty when there is none, or (Anthropic) when the request did not enable thinking. */
  reasoning: string;
  reasoningChunks: string[];
  /** Left out when the text was cut by the token limit or a stop sequence: the turn ended there. */
  toolCalls: StubToolCall[];
  reasoningTokens: number;
  /** The text's and the arguments' words, plus `reasoningTokens`. */
  completionTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  /** `tool_calls` when the answer ends with tool calls, else the text's own reason. */
  reason: ReplyPlan['reason'] | 'tool_calls';
}

export interface AnswerOptions {
  lastUserMessage: string;
  maxTokens?: number | undefined;
  stop?: readonly string[] | undefined;
  /** `call_` or `toolu_`, the format's tool-call id prefix. */
  idPrefix: string;
  requestId: string;
  /** Whether the reasoning is part of the answer (Anthropic: only when thinking is enabled). */
  reasoning: boolean;
  /** A tool the request forces: unscripted, the answer calls it with the question as `query`. */
  forcedTool?: string | undefined;
}

/**
 * The answer for a request: the scripted reply when there is one; else, when the request forces
 * a tool, a call of it with `{"query": <the last user message>}`; else today's deterministic
 * text. Completion tokens count the words of the text and of the tool-call arguments, plus the
 * reasoning's words (or `usage.reasoningTokens` when given).
 */
export function planAnswer(scripted: StubReply | undefined, options: AnswerOptions): AnswerPlan {
  const forced = options.forcedTool;
  const reply: StubReply | undefined =
    scripted ??
    (forced
      ? {
          text: '',
          toolCalls: [
            { name: forced, arguments: JSON.stringify({ query: options.lastUserMessage }) },
          ],
        }
      : undefined);
  const text = planText(reply?.text ?? stubReply(options.lastUserMessage), options);
  const reasoning = options.reasoning ? (reply?.reasoning ?? '') : '';
  const toolCalls =
    text.reason === 'end'
      ? (reply?.toolCalls ?? []).map((call, index) => ({
          id: call.id ?? `${options.idPrefix}${options.requestId}_${index}`,
          name: call.name,
          arguments: call.arguments,
          fragments: splitStubFragments(call.arguments),
        }))
      : [];
  const reasoningTokens = options.reasoning
    ? (reply?.usage?.reasoningTokens ?? (reasoning ? countStubTokens(reasoning) : 0))
    : 0;
  const answerTokens = countStubTokens(
    [text.text, ...toolCalls.map((c) => c.arguments)].join('\n'),
  );
  return {
    text,
    reasoning,
    reasoningChunks: splitStubChunks(reasoning),
    toolCalls,
    reasoningTokens,
    completionTokens: answerTokens + reasoningTokens,
    cachedInputTokens: reply?.usage?.cachedInputTokens ?? 0,
    cacheWriteTokens: reply?.usage?.cacheWriteTokens ?? 0,
    reason: toolCalls.length > 0 ? 'tool_calls' : text.reason,
  };
}
