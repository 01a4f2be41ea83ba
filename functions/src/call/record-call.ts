// After a call: its usage record (the pipeline keeps it, with the limiter's settlement), and
// for the web's callables the exchange in the caller's conversation, partial answers marked
// incomplete. A failure to record is logged and never turns a delivered answer into an error.
import type { Firestore } from 'firebase-admin/firestore';
import { logger } from 'firebase-functions/logger';
import {
  ModelId,
  imagesOf,
  textOf,
  type ChatRequest,
  type ClientTokenClaims,
  type FinishReason,
  type StreamEvent,
  type Usage,
  type UsageRecord,
} from '@colonycraft/protocol';
import {
  appendExchange,
  assertConversation,
  createConversation,
  titleFrom,
  type ExchangeIds,
} from '../conversations/conversation-store.js';
import type { Target } from '../gateway/execute.js';
import { costOf, usageDetails } from '../usage/usage-ledger.js';

export interface CallOutcome {
  claims: ClientTokenClaims;
  request: ChatRequest;
  served: Target;
  text: string;
  /** Whether any of the answer reached the client: text, reasoning or tool calls. */
  produced: boolean;
  usage: Usage;
  finishReason: FinishReason;
  failure?: Extract<StreamEvent, { type: 'error' }> | { code: string; message: string } | undefined;
  latencyMs: number;
  at: number;
}

export function statusOf(outcome: CallOutcome): UsageRecord['status'] {
  // A failure after some of the answer (say a cut inside a tool call's arguments) left it incomplete.
  if (outcome.failure) return outcome.produced ? 'incomplete' : 'error';
  return outcome.finishReason === 'cancelled' ? 'cancelled' : 'ok';
}

/** The conversation a callable's answer goes into: the one named, or a new one. */
export async function openConversation(
  db: Firestore,
  uid: string,
  request: ChatRequest,
): Promise<string> {
  if (request.conversationId) {
    await assertConversation(db, uid, request.conversationId);
    return request.conversationId;
  }
  const firstUser = request.messages.find((m) => m.role === 'user');
  const system = request.messages.find((m) => m.role === 'system');
  const systemPrompt = system && textOf(system);
  const conversation = await createConversation(db, uid, {
    title: titleFrom(firstUser ? textOf(firstUser) : ''),
    // An alias (`smart`) is no model: the answer's exchange records the one that served it.
    model: ModelId.safeParse(request.model).success ? request.model : undefined,
    systemPrompt,
  });
  return conversation.id;
}

/**
 * Appends the call's exchange to the caller's conversation, under the ids its client was told.
 * A call that failed before any of its answer is not kept: the client puts its question back
 * in the composer, and a kept one would show as a version nobody saw.
 */
export async function recordExchange(
  db: Firestore,
  outcome: CallOutcome,
  conversationId: string,
  ids: ExchangeIds,
): Promise<void> {
  if (outcome.failure && !outcome.produced) return;
  const { request } = outcome;
  // The conversation keeps the question's text and its images (the callable has checked that
  // they are base64 and fit their documents: checkKeptImages).
  const question = request.messages.findLast((m) => m.role === 'user');
  const images = (question ? imagesOf(question) : []).flatMap(({ source }) =>
    source.type === 'base64' ? [{ mediaType: source.mediaType, data: source.data }] : [],
  );
  const complete = !outcome.failure && outcome.finishReason !== 'cancelled';
  try {
    await appendExchange(db, outcome.claims.sub, conversationId, {
      ids,
      ...(request.regenerates === undefined
        ? {
            user: { content: question ? textOf(question) : '', images },
            parentId: request.parentId,
          }
        : { regenerates: request.regenerates }),
      startedAt: outcome.at,
      assistant: {
        content: outcome.text,
        model: outcome.served.id,
        usage: outcome.usage,
        costUsd: costOf(outcome.usage, outcome.served.info),
        latencyMs: outcome.latencyMs,
        finishReason: outcome.failure ? 'error' : outcome.finishReason,
        complete,
        ...(outcome.failure
          ? { error: { code: outcome.failure.code, message: outcome.failure.message } }
          : {}),
      },
    });
  } catch (error) {
    // The answer has gone already: the failure is logged, never thrown.
    logger.error('recording a call failed', {
      principal: outcome.claims.sub,
      error: String(error),
    });
  }
}

/** What any call used, as its usage record says it. */
export interface Used {
  claims: ClientTokenClaims;
  served: Target;
  usage: Usage;
  status: UsageRecord['status'];
  latencyMs: number;
  at: number;
}

/** A call's usage record: billed to its API key when it has one, else to its user. */
export function usageRecordOf({ claims, served, usage, status, latencyMs, at }: Used): UsageRecord {
  return {
    principal: claims.key ?? claims.sub,
    principalType: claims.key ? 'apiKey' : 'user',
    ...(claims.key ? { uid: claims.sub } : {}),
    model: served.id,
    provider: served.provider,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    ...usageDetails(usage),
    estimated: usage.estimated,
    costUsd: costOf(usage, served.info),
    latencyMs,
    status,
    at,
  };
}
