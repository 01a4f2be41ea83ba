// How patient the gateway is with a provider: timeouts, retries and input limits. Read from
// the environment once per instance; every value has a default and a name to set it by.
import { z } from 'zod';
import { STORE_DEADLINE_MS } from '../deadline.js';

export interface CallPolicy {
  /** Longest wait for a provider's response headers. */
  connectTimeoutMs: number;
  /** Longest wait from sending the request to the first event of the answer. */
  firstTokenTimeoutMs: number;
  /** Longest a whole call may take, retries included. */
  totalTimeoutMs: number;
  /**
   * Longest wait for Firestore on a call's path (its conversation, its usage record): past it
   * a conversation cannot be opened (`unavailable`), and an answer ends without waiting for
   * its record, which is still written.
   */
  storeTimeoutMs: number;
  /** Further attempts on one target after a retryable failure before the first byte. */
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** A `retry-after` longer than this is not waited for: the next target is tried instead. */
  maxRetryAfterMs: number;
  /** Largest body a request may have, in bytes: refused with 413 before it is read. */
  maxBodyBytes: number;
  /** Largest total size of a request's messages, in characters. */
  maxInputChars: number;
  /** Most images one request may hold. */
  maxImages: number;
  /** Largest image a request may carry, in bytes (decoded). */
  maxImageBytes: number;
  /** Most inputs one embeddings request may hold. */
  maxEmbeddingInputs: number;
  /**
   * Output tokens a call may produce when its request sets no maximum: sent to the provider as
   * the maximum and reserved against the caller's budgets, so that no answer outruns what its
   * admission reserved.
   */
  defaultMaxTokens: number;
}

const ms = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

const PolicyEnv = z.object({
  GATEWAY_CONNECT_TIMEOUT_MS: ms(10_000),
  GATEWAY_FIRST_TOKEN_TIMEOUT_MS: ms(60_000),
  GATEWAY_TOTAL_TIMEOUT_MS: ms(300_000),
  GATEWAY_STORE_TIMEOUT_MS: ms(STORE_DEADLINE_MS),
  GATEWAY_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  GATEWAY_RETRY_BASE_MS: ms(250),
  GATEWAY_RETRY_MAX_MS: ms(4_000),
  GATEWAY_MAX_RETRY_AFTER_MS: ms(20_000),
  // Cloud Run's and Anthropic's limit on a request.
  GATEWAY_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  GATEWAY_MAX_INPUT_CHARS: z.coerce.number().int().positive().default(400_000),
  GATEWAY_DEFAULT_MAX_TOKENS: z.coerce.number().int().positive().default(4096),
  GATEWAY_MAX_IMAGES: z.coerce.number().int().nonnegative().default(20),
  GATEWAY_MAX_EMBEDDING_INPUTS: z.coerce.number().int().positive().default(2048),
  GATEWAY_MAX_IMAGE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 1024 * 1024),
});

export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): CallPolicy {
  const given = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('GATEWAY_') && v !== ''),
  );
  const parsed = PolicyEnv.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${String(issue.path[0])} is invalid: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    connectTimeoutMs: e.GATEWAY_CONNECT_TIMEOUT_MS,
    firstTokenTimeoutMs: e.GATEWAY_FIRST_TOKEN_TIMEOUT_MS,
    totalTimeoutMs: e.GATEWAY_TOTAL_TIMEOUT_MS,
    storeTimeoutMs: e.GATEWAY_STORE_TIMEOUT_MS,
    maxRetries: e.GATEWAY_MAX_RETRIES,
    retryBaseMs: e.GATEWAY_RETRY_BASE_MS,
    retryMaxMs: e.GATEWAY_RETRY_MAX_MS,
    maxRetryAfterMs: e.GATEWAY_MAX_RETRY_AFTER_MS,
    maxBodyBytes: e.GATEWAY_MAX_BODY_BYTES,
    maxInputChars: e.GATEWAY_MAX_INPUT_CHARS,
    defaultMaxTokens: e.GATEWAY_DEFAULT_MAX_TOKENS,
    maxImages: e.GATEWAY_MAX_IMAGES,
    maxImageBytes: e.GATEWAY_MAX_IMAGE_BYTES,
    maxEmbeddingInputs: e.GATEWAY_MAX_EMBEDDING_INPUTS,
  };
}

/**
 * Exponential backoff with full jitter; a provider's `retry-after` wins when it sent one.
 * Returns undefined when the provider asks for a longer wait than the policy allows.
 */
export function retryDelay(
  policy: CallPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number | undefined {
  if (retryAfterMs !== undefined)
    return retryAfterMs <= policy.maxRetryAfterMs ? retryAfterMs : undefined;
  return Math.round(Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** attempt) * random());
}
