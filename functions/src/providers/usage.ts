// Token counts for providers that send none: counted with the GPT tokenizer and marked
// estimated, so usage is never lost, only approximated.
import { countTokens } from 'gpt-tokenizer';
import { imagesOf, textOf, type ChatRequest, type Usage } from '@colonycraft/protocol';

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

type Counted = Pick<ChatRequest, 'messages'> &
  Partial<Pick<ChatRequest, 'tools' | 'responseFormat'>>;

/** The request's input: its messages' text, images and tool calls, and the tools' schemas. */
export function estimateInputTokens(request: Counted): number {
  let sum = 3;
  for (const m of request.messages) {
    sum += TOKENS_PER_MESSAGE + countTokens(textOf(m)) + imagesOf(m).length * IMAGE_TOKENS;
    if (m.role === 'assistant')
      for (const call of m.toolCalls ?? []) sum += countTokens(call.name + call.arguments);
  }
  if (request.tools) sum += countTokens(JSON.stringify(request.tools));
  if (request.responseFormat?.type === 'json-schema')
    sum += countTokens(JSON.stringify(request.responseFormat.schema));
  return sum;
}

export function estimateOutputTokens(outputText: string): number {
  return countTokens(outputText);
}

export function estimateUsage(request: Counted, outputText: string): Usage {
  return {
    inputTokens: estimateInputTokens(request),
    outputTokens: estimateOutputTokens(outputText),
    estimated: true,
  };
}
