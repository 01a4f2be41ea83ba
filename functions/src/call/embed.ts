// An embeddings call, whatever the surface: check the inputs against the policy and the model,
// ask each target in turn (the next one when a target fails in a way worth retrying), and
// record what the call used. Every call ends in exactly one log line.
import type {
  ClientTokenClaims,
  EmbeddingInput,
  EmbeddingsRequest,
  EmbeddingsResult,
  Usage,
} from '@colonycraft/protocol';
import { logger } from 'firebase-functions/logger';
import { GatewayError } from '../errors.js';
import type { Catalog } from '../gateway/catalog.js';
import type { Target } from '../gateway/execute.js';
import { fromProviderError } from '../gateway/provider-errors.js';
import { ProviderError } from '../providers/provider.js';
import { countTextTokens, tokenBound } from '../providers/usage.js';
import type { ProviderEntry } from '../providers/registry-types.js';
import { costOf } from '../usage/usage-ledger.js';
import { priced, UNPARSED, type Estimate } from './admission.js';
import type { AnswerDeps, AnswerHooks } from './answer.js';
import { usageRecordOf } from './record-call.js';
import { targetsFor } from './targets.js';

const tokensOf = (input: EmbeddingInput): number =>
  typeof input === 'string' ? countTextTokens(input) : input.length;

/**
 * What an embeddings call may use: its inputs, bounded by their bytes (a token array by its
 * length), priced as input.
 */
export async function estimateEmbedding(
  request: EmbeddingsRequest | undefined,
  entries: readonly ProviderEntry[],
): Promise<Estimate> {
  if (!request) return UNPARSED;
  let bytes = 0;
  let tokens = 0;
  for (const input of request.input) {
    if (typeof input === 'string') bytes += Buffer.byteLength(input);
    else tokens += input.length;
  }
  return priced(entries, request.model, tokenBound(bytes, tokens), 0);
}

export interface PreparedEmbedding {
  request: EmbeddingsRequest;
  claims: ClientTokenClaims;
  catalog: Catalog;
  targets: Target[];
  /** The inputs' tokens as counted here: the usage when the provider sends none. */
  inputTokens: number;
}

/** Checks the inputs' count and each one's size against the model; resolves the targets. */
export async function prepareEmbedding(
  request: EmbeddingsRequest,
  claims: ClientTokenClaims,
  deps: Pick<AnswerDeps, 'entries' | 'policy'>,
): Promise<PreparedEmbedding> {
  const { maxEmbeddingInputs } = deps.policy;
  if (request.input.length > maxEmbeddingInputs) {
    throw new GatewayError(
      'invalid-argument',
      `input: ${request.input.length} inputs is more than the ${maxEmbeddingInputs} a request may hold`,
    );
  }
  const { catalog, targets } = await targetsFor(
    claims,
    request.model,
    ['embeddings'],
    deps.entries,
  );
  const context = Math.min(...targets.map((t) => t.info.contextWindow));
  let inputTokens = 0;
  for (const [i, input] of request.input.entries()) {
    const tokens = tokensOf(input);
    if (tokens > context) {
      throw new GatewayError(
        'invalid-argument',
        `input.${i}: about ${tokens} tokens is more than the model's ${context}`,
      );
    }
    inputTokens += tokens;
  }
  return { request, claims, catalog, targets, inputTokens };
}

/**
 * Asks each target in turn until one answers: a failure worth retrying moves on to the next,
 * any other is the answer. Bounded by the policy's first-token timeout, as a whole answer is.
 */
export async function embed(
  prepared: PreparedEmbedding,
  signal: AbortSignal,
  deps: Omit<AnswerDeps, 'entries'>,
  hooks: AnswerHooks,
  started: number,
): Promise<EmbeddingsResult> {
  const { request, claims, catalog, targets } = prepared;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), deps.policy.firstTokenTimeoutMs);
  const callSignal = AbortSignal.any([signal, timeout.signal]);
  let served = targets[0]!;
  let failure: ProviderError | undefined;
  let answer: { embeddings: number[][]; usage: Usage } | undefined;
  try {
    for (const target of targets) {
      served = target;
      const provider = catalog.providers.get(target.provider)!;
      try {
        if (!provider.embed)
          throw new ProviderError(target.provider, `${target.provider} has no embeddings`, {
            status: 400,
          });
        const { embeddings, inputTokens } = await hooks.clock.waitFor(
          hooks.telemetry.reply(
            target,
            provider.embed(
              { ...request, model: target.model },
              { signal: callSignal, connectTimeoutMs: deps.policy.connectTimeoutMs },
            ),
          ),
        );
        const counted = inputTokens !== undefined;
        answer = {
          embeddings,
          usage: {
            inputTokens: inputTokens ?? prepared.inputTokens,
            outputTokens: 0,
            estimated: !counted,
          },
        };
        failure = undefined;
        break;
      } catch (error) {
        failure =
          error instanceof ProviderError
            ? error
            : new ProviderError(target.provider, `${target.provider} failed unexpectedly`, {
                cause: error,
              });
        if (callSignal.aborted || !failure.isRetryable) break;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  const usage = answer?.usage ?? { inputTokens: 0, outputTokens: 0, estimated: true };
  const latencyMs = (deps.now ?? Date.now)() - started;
  const status = answer ? 'ok' : signal.aborted ? 'cancelled' : 'error';
  // A failed request is not charged by the provider: it is settled as having used nothing.
  hooks.onUsed(
    usageRecordOf({ claims, served, usage, status, latencyMs, at: started }),
    answer ? { usage, costUsd: costOf(usage, served.info) } : undefined,
  );
  logger.info('embeddings', {
    principal: claims.sub,
    provider: served.provider,
    model: served.id,
    requested: request.model,
    status,
    latencyMs,
    inputs: request.input.length,
    inputTokens: usage.inputTokens,
    estimated: usage.estimated,
    overheadMs: hooks.clock.overheadMs(),
  });
  if (!answer) {
    if (signal.aborted) throw new GatewayError('cancelled', 'The call was cancelled.');
    if (timeout.signal.aborted)
      throw new GatewayError(
        'unavailable',
        `${served.provider}: no answer within ${deps.policy.firstTokenTimeoutMs} ms`,
      );
    throw fromProviderError(failure!);
  }
  return { model: served.id, embeddings: answer.embeddings, usage };
}
