// Token counts for providers that send none, and the bound admission reserves before a call.
// Counts use the GPT tokenizer and are marked estimated, so usage is never lost, only
// approximated. Every function here costs time linear in its input, whatever its shape.
import { createRequire } from 'node:module';
import { imagesOf, textOf, type ChatRequest, type Usage } from '@colonycraft/protocol';

type CountTokens = (text: string) => number;
let tokenizer: CountTokens | undefined;

/**
 * The GPT tokenizer's count, the tokenizer loaded on first use rather than at start-up: its
 * tables take about 0.4 s to load, and most calls never need them (providers send counts).
 */
function countTokens(text: string): number {
  tokenizer ??= (createRequire(import.meta.url)('gpt-tokenizer') as { countTokens: CountTokens })
    .countTokens;
  return tokenizer(text);
}

/** Per-message overhead of chat formatting, as OpenAI documents it for its chat models. */
const TOKENS_PER_MESSAGE = 3;

/** A token count as a provider should send it; anything else is estimated instead. */
export function isTokenCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/**
 * What an image is counted as: about the most a provider charges for one at the size it
 * scales images to (Anthropic: ~1,600 tokens at 1.15 megapixels).
 */
export const IMAGE_TOKENS = 1_600;

/**
 * The longest slice of text the tokenizer is given at once. Its cost grows with the square of
 * a run without spaces (80,000 characters took 2.5 s whole); in slices of this size it is
 * linear (the same run: about 1 ms), and a cut at a space changes the count by nothing.
 */
const SLICE = 256;

const isSpace = (code: number): boolean => code === 32 || (code >= 9 && code <= 13);
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/**
 * The tokens in `text` by the GPT tokenizer, counted in slices: each ends at the last space in
 * its second half (the next begins with it, as the tokenizer's own pieces do), or where a run
 * without spaces reaches the slice's size, never inside a surrogate pair.
 */
export function countTextTokens(text: string): number {
  let tokens = 0;
  let start = 0;
  while (start < text.length) {
    const end = sliceEnd(text, start);
    tokens += countTokens(text.slice(start, end));
    start = end;
  }
  return tokens;
}

/** Where the slice of `text` that begins at `start` ends. */
function sliceEnd(text: string, start: number): number {
  const end = start + SLICE;
  if (end >= text.length) return text.length;
  for (let cut = end; cut > start + SLICE / 2; cut -= 1)
    if (isSpace(text.charCodeAt(cut))) return cut;
  return isHighSurrogate(text.charCodeAt(end - 1)) ? end - 1 : end;
}

type Counted = Pick<ChatRequest, 'messages'> &
  Partial<Pick<ChatRequest, 'tools' | 'responseFormat'>>;

/** The request's input: its messages' text, images and tool calls, and the tools' schemas. */
export function estimateInputTokens(request: Counted): number {
  let tokens = 3;
  for (const m of request.messages) {
    tokens += TOKENS_PER_MESSAGE + countTextTokens(textOf(m)) + imagesOf(m).length * IMAGE_TOKENS;
    if (m.role === 'assistant')
      for (const call of m.toolCalls ?? []) tokens += countTextTokens(call.name + call.arguments);
  }
  for (const schema of schemasOf(request)) tokens += countTextTokens(schema);
  return tokens;
}

export function estimateOutputTokens(outputText: string): number {
  return countTextTokens(outputText);
}

export function estimateUsage(request: Counted, outputText: string): Usage {
  return {
    inputTokens: estimateInputTokens(request),
    outputTokens: estimateOutputTokens(outputText),
    estimated: true,
  };
}

/** The tools' and the response format's schemas as the provider is sent them. */
function schemasOf(request: Counted): string[] {
  const schemas: string[] = [];
  if (request.tools) schemas.push(JSON.stringify(request.tools));
  if (request.responseFormat?.type === 'json-schema')
    schemas.push(JSON.stringify(request.responseFormat.schema));
  return schemas;
}

/**
 * Input tokens found without the tokenizer, in one pass over the UTF-8 bytes: what admission
 * reserves before the call, settled against the provider's count after it.
 */
export interface TokenBound {
  /**
   * About one token per four bytes, as OpenAI's own rate limiter counts: what the caller's
   * token bucket is charged. Text that tokenizes worse (code, other scripts) is charged the
   * difference when the call settles.
   */
  likely: number;
  /**
   * An upper bound on the text's tokens: a byte-level BPE token is at least one byte. What
   * the caller's budgets reserve, so that no call spends more than they had left.
   */
  most: number;
}

/** How many bytes of prose one token covers, about, in the GPT tokenizers. */
const BYTES_PER_TOKEN = 4;

/** The bound of text that is `bytes` long, with `fixed` tokens (images, framing) besides. */
export const tokenBound = (bytes: number, fixed = 0): TokenBound => ({
  likely: fixed + Math.ceil(bytes / BYTES_PER_TOKEN),
  most: fixed + bytes,
});

/** The bound of a request's input: what `estimateInputTokens` counts, by its bytes. */
export function boundInputTokens(request: Counted): TokenBound {
  let fixed = 3;
  let bytes = 0;
  for (const m of request.messages) {
    fixed += TOKENS_PER_MESSAGE + imagesOf(m).length * IMAGE_TOKENS;
    bytes += Buffer.byteLength(textOf(m));
    if (m.role === 'assistant')
      for (const call of m.toolCalls ?? [])
        bytes += Buffer.byteLength(call.name) + Buffer.byteLength(call.arguments);
  }
  for (const schema of schemasOf(request)) bytes += Buffer.byteLength(schema);
  return tokenBound(bytes, fixed);
}
