// Puts every call through the rate limiter before anything else is done with it — so calls
// that then fail validation or at the provider still count — and settles it afterwards with
// what it really used. A call by API key must pass both the key's limits and its owner's.
import type { ChatRequest, ClientTokenClaims, Usage } from '@colonycraft/protocol';
import { catalogFor } from '../gateway/catalog-cache.js';
import { resolveTargets } from '../gateway/catalog.js';
import { usdToMicro } from '../limits/limits-config.js';
import type { JournalEntry, Lease, Limiter, Principal } from '../limits/limiter.js';
import { rateLimitHeaders, refusalError, type RateLimitHeaders } from '../limits/refusal.js';
import type { ProviderEntry } from '../providers/registry-types.js';
import { boundInputTokens, type TokenBound } from '../providers/usage.js';
import { costOf } from '../usage/usage-ledger.js';

export interface Estimate {
  tokens: number;
  costUsd: number;
}

/**
 * What a call may use: its input, bounded by its bytes (`boundInputTokens`: no tokenizer runs
 * before the limiter decides, so no input's shape can make admission slow), and its output
 * maximum (the request's, or `defaultMaxTokens`, which the call then sends), priced from the
 * catalog. A request too malformed to guess costs one token.
 */
export async function estimateCall(
  request: ChatRequest | undefined,
  entries: readonly ProviderEntry[],
  defaultMaxTokens: number,
): Promise<Estimate> {
  if (!request) return UNPARSED;
  return priced(
    entries,
    request.model,
    boundInputTokens(request),
    request.maxTokens ?? defaultMaxTokens,
  );
}

/** What a request too malformed to guess is reserved: one token. */
export const UNPARSED: Estimate = { tokens: 1, costUsd: 0 };

/**
 * `input` and `outputTokens` as an estimate: the likely tokens for the token bucket, the most
 * the call can cost for the budgets, priced as the model the request names (free when none is
 * known).
 */
export async function priced(
  entries: readonly ProviderEntry[],
  model: string,
  input: TokenBound,
  outputTokens: number,
): Promise<Estimate> {
  const tokens = input.likely + outputTokens;
  try {
    const [target] = resolveTargets(await catalogFor(entries), model);
    const most: Usage = { inputTokens: input.most, outputTokens, estimated: true };
    return { tokens, costUsd: target ? costOf(most, target.info) : 0 };
  } catch {
    return { tokens, costUsd: 0 };
  }
}

export interface Admission {
  /** RateLimit-* headers for the answer. */
  headers: RateLimitHeaders;
  /**
   * Settles the call with what it used, and hands the limiter's store its usage record to
   * keep in the same step; true when it kept it. Call it once.
   */
  settle(
    spent: { usage: Usage; costUsd: number } | undefined,
    journal?: JournalEntry,
  ): Promise<boolean>;
}

const NOT_LIMITED: Admission = { headers: {}, settle: async () => false };

/** Admits a call; `callId` names its lease (and its usage record). */
/**
 * The group a call is decided in: its user's principal, so that an API key's keys and its
 * owner's share a hash tag (one slot on Redis Cluster), as do the owner's keys alone.
 */
export const callGroup = (claims: Pick<ClientTokenClaims, 'sub'>): string => `user:${claims.sub}`;

export async function admitCall(
  limiter: Limiter | undefined,
  claims: ClientTokenClaims,
  estimate: Estimate,
  callId?: string,
): Promise<Admission> {
  if (!limiter) return NOT_LIMITED;
  // The key at its own tier, its owner at theirs: a key cannot raise its owner's limits.
  const principals: Principal[] = claims.key
    ? [{ id: `user:${claims.sub}`, tier: claims.ownerTier ?? claims.tier }, `key:${claims.key}`]
    : [`user:${claims.sub}`];
  const admission = await limiter.admit({
    principals,
    tier: claims.tier,
    estimatedTokens: estimate.tokens,
    estimatedCostMicroUsd: usdToMicro(estimate.costUsd),
    leaseId: callId,
    group: callGroup(claims),
  });
  if (!admission.ok) throw refusalError(admission.refusal);
  const lease: Lease = admission.lease;
  // A short lease, renewed while the call runs: a call whose instance vanished frees its slot
  // within one lease, not at the end of a long one.
  const renewing = setInterval(
    () => void limiter.renew(lease).catch(() => {}),
    limiter.config.leaseTtlMs / 3,
  );
  renewing.unref();
  return {
    headers: rateLimitHeaders(admission),
    settle: (spent, journal) => {
      clearInterval(renewing);
      return limiter.settle({
        ...lease,
        actualTokens: spent ? spent.usage.inputTokens + spent.usage.outputTokens : 0,
        actualCostMicroUsd: spent ? usdToMicro(spent.costUsd) : 0,
        journal,
      });
    },
  };
}

/**
 * The revocation check and the limiter's decision, side by side. A revoked caller is refused
 * as such even when the limiter would have refused it too; a call the limiter had admitted
 * meanwhile is settled at once as having used nothing: its lease and reservation are returned,
 * and it counts as one request, as a malformed one does.
 */
export async function admitUnlessRevoked(
  checking: Promise<void>,
  admitting: Promise<Admission>,
): Promise<Admission> {
  const [revocation, admission] = await Promise.allSettled([checking, admitting]);
  if (revocation.status === 'rejected') {
    if (admission.status === 'fulfilled') await admission.value.settle(undefined);
    throw revocation.reason;
  }
  if (admission.status === 'rejected') throw admission.reason;
  return admission.value;
}
