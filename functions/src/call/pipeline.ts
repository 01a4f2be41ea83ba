// The one call pipeline every surface runs (`/v1/chat/completions`, `/v1/messages`,
// `/v1/embeddings`, the chat callables): revocation ∥ parse → estimate → admit → prepare →
// execute → settle, which keeps the usage record (usage/ledger-drain.ts) → the conversation's
// write. A surface identifies the caller, parses its wire format into the
// unified request and renders the answer's events back; everything between is here, once.
import { randomUUID } from 'node:crypto';
import type {
  ChatRequest,
  ChatResult,
  ClientTokenClaims,
  EmbeddingsRequest,
  EmbeddingsResult,
  UsageRecord,
} from '@colonycraft/protocol';
import type { Identified } from '../auth/authenticate.js';
import { withDeadline } from '../deadline.js';
import { GatewayError } from '../errors.js';
import type { JournalEntry, Limiter } from '../limits/limiter.js';
import { Outage } from '../limits/outage.js';
import type { RateLimitHeaders } from '../limits/refusal.js';
import {
  admitCall,
  admitUnlessRevoked,
  callGroup,
  estimateCall,
  type Estimate,
} from './admission.js';
import {
  prepareChat,
  streamAnswer,
  type AnswerDeps,
  type AnswerHooks,
  type ChatChannel,
  type Spent,
} from './answer.js';
import { CallClock } from './call-clock.js';
import { recordUsage } from '../usage/usage-ledger.js';
import { embed, estimateEmbedding, prepareEmbedding } from './embed.js';
import { traced, type CallTelemetry } from '../telemetry/call-telemetry.js';

export interface CallDeps extends AnswerDeps {
  /** The instance's rate limiter; without it nothing is limited. */
  limiter?: () => Limiter;
  /**
   * What takes the usage records the limiter's store keeps (Redis) on to Firestore, told after
   * each one: the instance's drainer. Without it they wait for the scheduled drain.
   */
  ledger?: () => { nudge(group: string): void } | undefined;
}

/** A call the limiter has admitted, whatever it asks for. */
interface Admitted<P> {
  claims: ClientTokenClaims;
  /** The surface's parsed request. */
  parsed: P;
  /** When the call started (ms since the epoch). */
  started: number;
  /** RateLimit-* headers for the answer. */
  headers: RateLimitHeaders;
  /** The gateway's own time so far, in ms: what `x-colonycraft-overhead-ms` reports. */
  overheadMs(): number;
  /**
   * The limiter's settlement (with the usage record, or the usage write where the store keeps
   * no ledger) and the conversation's write, made side by side. The surface awaits it
   * before its response's last byte; it never rejects, but resolves with the failure among
   * them, which the pipeline throws once the surface has answered, never instead of it.
   */
  settled(): Promise<unknown>;
}

/** A chat call the limiter has admitted, handed to its surface to answer. */
export interface AdmittedCall<P> extends Admitted<P> {
  /** Streams the answer into `channel` and returns it whole (see `streamAnswer`). */
  answer(channel: ChatChannel): Promise<ChatResult>;
}

/** An embeddings call the limiter has admitted. */
export interface AdmittedEmbedding<P> extends Admitted<P> {
  embed(signal: AbortSignal): Promise<EmbeddingsResult>;
}

interface Surface<P, A, R> {
  /** Parses the surface's wire request; its error is thrown once the call is admitted. */
  parse(): P;
  /** Told the RateLimit-* headers as soon as the call is admitted, before any parse error. */
  admitted?(headers: RateLimitHeaders): void;
  respond(call: A): Promise<R>;
}

export type CallSurface<P extends { request: ChatRequest }, R> = Surface<P, AdmittedCall<P>, R>;
export type EmbeddingSurface<P extends { request: EmbeddingsRequest }, R> = Surface<
  P,
  AdmittedEmbedding<P>,
  R
>;

/** Usage writes that outlast the store's deadline: logged once per outage, each one counted. */
export const ledgerMetrics = { lateWrites: 0 };
const ledgerOutage = new Outage(
  'usage ledger: Firestore (answers end without waiting for their records)',
  () => ledgerMetrics.lateWrites++,
);

/** Waits for all of them, even after one has failed, then throws the first failure. */
export async function allDone(work: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Admits one call for an identified caller, then hands it to `respond`. The call is admitted
 * before its request is validated, so malformed calls count too, and settled with what it
 * used however it ended.
 */
async function runAdmitted<P extends { request: { model: string } }, R>(
  deps: CallDeps,
  { claims, checkRevocation }: Identified,
  surface: Pick<Surface<P, never, R>, 'parse' | 'admitted'>,
  estimate: (parsed: P | undefined) => Promise<Estimate>,
  respond: (call: Admitted<P>, hooks: AnswerHooks) => Promise<R>,
  callId: string,
  telemetry: CallTelemetry,
): Promise<R> {
  const started = (deps.now ?? Date.now)();
  const clock = new CallClock();
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
  if (parsed) telemetry.requested(parsed.request.model);
  const admission = await telemetry.admit(async () =>
    admitUnlessRevoked(
      revocation,
      admitCall(deps.limiter?.(), claims, await estimate(parsed), callId),
    ),
  );
  surface.admitted?.(admission.headers);

  // The lease is released the moment the call's use is known (a client that left frees its
  // slot at once), not once the surface has finished with the call.
  let settlement: Promise<boolean> | undefined;
  const settle = (spent: Spent | undefined, journal?: JournalEntry): Promise<boolean> => {
    if (!settlement) {
      settlement = telemetry.step('settle', () => admission.settle(spent, journal));
      settlement.catch(() => {}); // awaited in `settled`
    }
    return settlement;
  };
  // Each recording, waited for until the store's deadline: past it the answer ends anyway,
  // and the write goes on (Firestore's client retries it).
  const recordings: Promise<void>[] = [];
  const recorded = (recording: Promise<void>): Promise<void> =>
    telemetry
      .step('record', () => withDeadline(recording, deps.policy.storeTimeoutMs, 'Firestore'))
      .then(
        () => ledgerOutage.recovered(),
        (error: unknown) => {
          if (!(error instanceof GatewayError)) throw error;
          ledgerOutage.failed({ error: error.message, uid: claims.sub });
        },
      );
  let settling: Promise<unknown> | undefined;
  const settled = () =>
    (settling ??= allDone([...recordings, settle(undefined)]).then(
      () => undefined,
      (error: unknown) => error ?? new Error('settling the call failed'),
    ));
  // The usage record goes with the settlement when the limiter's store keeps a ledger (Redis):
  // one round trip, and the answer never waits for Firestore. Otherwise, or when the
  // settlement failed, it is written to Firestore directly; a call id counts once either way.
  const used = (record: UsageRecord, spent: Spent | undefined): void => {
    telemetry.used(record, clock.overheadMs());
    const db = deps.db;
    if (!db) return void settle(spent);
    const journaled = settle(spent, { callId, record: JSON.stringify(record) }).catch(() => false);
    recordings.push(
      journaled.then((kept) => {
        if (kept) return deps.ledger?.()?.nudge(callGroup(claims));
        return recorded(recordUsage(db(), record, { callId }).then(() => undefined));
      }),
    );
  };
  const hooks: AnswerHooks = {
    clock,
    telemetry,
    onUsed: used,
    onRecording: (r) => void recordings.push(recorded(r)),
  };
  let result: R;
  try {
    if (parsed === undefined) throw invalid;
    const overheadMs = () => clock.overheadMs();
    result = await respond(
      { claims, parsed, started, headers: admission.headers, overheadMs, settled },
      hooks,
    );
  } finally {
    await settled();
  }
  const failure = await settled();
  if (failure) throw failure;
  return result;
}

/** Runs one chat call: its answer streams to the surface's channel. */
export function runCall<P extends { request: ChatRequest }, R>(
  deps: CallDeps,
  identified: Identified,
  surface: CallSurface<P, R>,
): Promise<R> {
  const callId = randomUUID();
  return traced('chat', callId, (telemetry) =>
    runAdmitted(
      deps,
      identified,
      surface,
      (parsed) => estimateCall(parsed?.request, deps.entries, deps.policy.defaultMaxTokens),
      (call, hooks) =>
        surface.respond({
          ...call,
          answer: async (channel) =>
            streamAnswer(
              await prepareChat(call.parsed.request, call.claims, deps),
              channel,
              deps,
              hooks,
              call.started,
            ),
        }),
      callId,
      telemetry,
    ),
  );
}

/** Runs one embeddings call. */
export function runEmbedding<P extends { request: EmbeddingsRequest }, R>(
  deps: CallDeps,
  identified: Identified,
  surface: EmbeddingSurface<P, R>,
): Promise<R> {
  const callId = randomUUID();
  return traced('embeddings', callId, (telemetry) =>
    runAdmitted(
      deps,
      identified,
      surface,
      (parsed) => estimateEmbedding(parsed?.request, deps.entries),
      (call, hooks) =>
        surface.respond({
          ...call,
          embed: async (signal) =>
            embed(
              await prepareEmbedding(call.parsed.request, call.claims, deps),
              signal,
              deps,
              hooks,
              call.started,
            ),
        }),
      callId,
      telemetry,
    ),
  );
}
