// The one call pipeline every surface runs (`/v1/chat/completions`, the chat callables; next
// `/v1/messages` and `/v1/embeddings`): revocation ∥ parse → estimate → admit → prepare →
// execute → record → settle. A surface identifies the caller, parses its wire format into the
// unified request and renders the answer's events back; everything between is here, once.
import type { ChatRequest, ChatResult, ClientTokenClaims } from '@colonycraft/protocol';
import type { Identified } from '../auth/authenticate.js';
import type { Limiter } from '../limits/limiter.js';
import type { RateLimitHeaders } from '../limits/refusal.js';
import { admitCall, admitUnlessRevoked, estimateCall } from './admission.js';
import {
  prepareChat,
  streamAnswer,
  type AnswerDeps,
  type ChatChannel,
  type Spent,
} from './answer.js';

export interface CallDeps extends AnswerDeps {
  /** The instance's rate limiter; without it nothing is limited. */
  limiter?: () => Limiter;
}

/** A call the limiter has admitted, handed to its surface to answer. */
export interface AdmittedCall<P> {
  claims: ClientTokenClaims;
  /** The surface's parsed request. */
  parsed: P;
  /** When the call started (ms since the epoch). */
  started: number;
  /** RateLimit-* headers for the answer. */
  headers: RateLimitHeaders;
  /** Streams the answer into `channel` and returns it whole (see `streamAnswer`). */
  answer(channel: ChatChannel): Promise<ChatResult>;
  /**
   * The usage write and the limiter's settlement, made side by side. The surface awaits it
   * before its response's last byte; it never rejects, but resolves with the failure among
   * them, which the pipeline throws once the surface has answered, never instead of it.
   */
  settled(): Promise<unknown>;
}

export interface CallSurface<P extends { request: ChatRequest }, R> {
  /** Parses the surface's wire request; its error is thrown once the call is admitted. */
  parse(): P;
  /** Told the RateLimit-* headers as soon as the call is admitted, before any parse error. */
  admitted?(headers: RateLimitHeaders): void;
  respond(call: AdmittedCall<P>): Promise<R>;
}

/** Waits for all of them, even after one has failed, then throws the first failure. */
export async function allDone(work: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Runs one call for an identified caller. The call is admitted before its request is
 * validated, so malformed calls count too, and settled with what it used however it ended.
 */
export async function runCall<P extends { request: ChatRequest }, R>(
  deps: CallDeps,
  { claims, checkRevocation }: Identified,
  surface: CallSurface<P, R>,
): Promise<R> {
  const started = (deps.now ?? Date.now)();
  // Asked first: the denylist's answer travels while the request is parsed and estimated.
  const revocation = checkRevocation();
  revocation.catch(() => {}); // it is awaited below, beside the limiter's decision
  let parsed: P | undefined;
  let invalid: unknown;
  try {
    parsed = surface.parse();
  } catch (error) {
    invalid = error;
  }
  const estimate = await estimateCall(parsed?.request, deps.entries, deps.policy.defaultMaxTokens);
  const admission = await admitUnlessRevoked(
    revocation,
    admitCall(deps.limiter?.(), claims, estimate),
  );
  surface.admitted?.(admission.headers);

  let spent: Spent | undefined;
  const recordings: Promise<void>[] = [];
  let settling: Promise<unknown> | undefined;
  const settled = () =>
    (settling ??= allDone([...recordings, admission.settle(spent)]).then(
      () => undefined,
      (error: unknown) => error ?? new Error('settling the call failed'),
    ));
  let result: R;
  try {
    if (!parsed) throw invalid;
    const { request } = parsed;
    result = await surface.respond({
      claims,
      parsed,
      started,
      headers: admission.headers,
      settled,
      answer: async (channel) =>
        streamAnswer(
          await prepareChat(request, claims, deps),
          channel,
          deps,
          {
            onSpent: (s) => (spent = s),
            onRecording: (r) => void recordings.push(r),
          },
          started,
        ),
    });
  } finally {
    await settled();
  }
  const failure = await settled();
  if (failure) throw failure;
  return result;
}
