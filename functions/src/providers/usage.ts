// Token counts for providers that send none: counted with the GPT tokenizer and marked
// estimated, so usage is never lost, only approximated.
import { countTokens } from 'gpt-tokenizer';
import type { ChatRequest, Usage } from '@colonycraft/protocol';

/** Per-message overhead of chat formatting, as OpenAI documents it for its chat models. */
const TOKENS_PER_MESSAGE = 3;

/** A token count as a provider should send it; anything else is estimated instead. */
export function isTokenCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

export function estimateInputTokens(request: Pick<ChatRequest, 'messages'>): number {
  return request.messages.reduce((sum, m) => sum + TOKENS_PER_MESSAGE + countTokens(m.content), 3);
}

export function estimateOutputTokens(outputText: string): number {
  return countTokens(outputText);
}

export function estimateUsage(request: Pick<ChatRequest, 'messages'>, outputText: string): Usage {
  return {
    inputTokens: estimateInputTokens(request),
    outputTokens: estimateOutputTokens(outputText),
    estimated: true,
  };
}
