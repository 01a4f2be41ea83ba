// The answer to an admitted call, whatever the surface: check that the caller may use the
// model, resolve it to its targets, stream the provider's events to the surface through
// retries and fallbacks, and record what the call used. Every call ends in exactly one log line.
import {
  base64Bytes,
  imagesOf,
  textOf,
  type Capability,
  type ChatChunk,
  type ChatRequest,
  type ChatResult,
  type ClientTokenClaims,
  type FinishReason,
  type Reasoning,
  type ToolCall,
  type Usage,
  type UsageRecord,
} from '@colonycraft/protocol';
import type { Firestore } from 'firebase-admin/firestore';
import { logger } from 'firebase-functions/logger';
import { withDeadline } from '../deadline.js';
import { GatewayError } from '../errors.js';
import type { Catalog } from '../gateway/catalog.js';
import { executeChat, type Target } from '../gateway/execute.js';
import type { CallPolicy } from '../gateway/policy.js';
import { fromProviderError } from '../gateway/provider-errors.js';
import { ProviderError } from '../providers/provider.js';
import { estimateUsage } from '../providers/usage.js';
import type { ProviderEntry } from '../providers/registry-types.js';
import { costOf, usageDetails } from '../usage/usage-ledger.js';
import type { CallTelemetry } from '../telemetry/call-telemetry.js';
import type { CallClock } from './call-clock.js';
import { newExchangeIds } from '../conversations/conversation-store.js';
import {
  openConversation,
  recordExchange,
  statusOf,
  usageRecordOf,
  type CallOutcome,
} from './record-call.js';
import { targetsFor } from './targets.js';

/** Where a surface takes the answer's events: its wire format's rendering of them. */
export interface ChatChannel {
  /** `model` is the target serving the call, which for an alias may change before the first event. */
  sendChunk(event: ChatChunk, model: string): Promise<unknown>;
  signal: AbortSignal;
}

export interface AnswerDeps {
  /** The providers this function may call: its own, or every one for `chat` and `/v1`. */
  entries: readonly ProviderEntry[];
  policy: CallPolicy;
  now?: () => number;
  /** Where usage (and conversations) are recorded; without it nothing is. */
  db?: () => Firestore;
  /** Keep the exchange in the caller's conversation (the web's callables; not `/v1`). */
  keepConversations?: boolean;
}

/** What a call used once it has ended, answered or not. */
export interface Spent {
  usage: Usage;
  costUsd: number;
}

/**
 * Told what the call used, and handed its recording (usage, and the conversation) as soon as
 * it has started instead of the answer waiting for it: the pipeline awaits it before the
 * response ends, since on Cloud Run an instance's CPU is throttled once no request is open,
 * and usage must not be lost.
 */
export interface AnswerHooks {
  /** What the call used, and its usage record; `spent` is undefined for a call not charged. */
  onUsed(record: UsageRecord, spent: Spent | undefined): void;
  /** The conversation's write, for the web's callables. */
  onRecording(recording: Promise<void>): void;
  /** Where the time spent waiting for the provider is counted. */
  clock: CallClock;
  /** The call's trace and metrics (telemetry/call-telemetry.ts). */
  telemetry: CallTelemetry;
}

/** The request's text in characters, tool calls' arguments included. */
function sizeOf(request: ChatRequest): number {
  let size = 0;
  for (const m of request.messages) {
    size += textOf(m).length;
    if (m.role === 'assistant') for (const call of m.toolCalls ?? []) size += call.arguments.length;
  }
  return size;
}

/** Refuses a request larger than the policy allows: its text, or its images' count or size. */
export function checkSize(request: ChatRequest, policy: CallPolicy): void {
  const size = sizeOf(request);
  if (size > policy.maxInputChars) {
    throw new GatewayError(
      'invalid-argument',
      `messages: ${size} characters in all is more than the ${policy.maxInputChars} allowed`,
    );
  }
  let images = 0;
  for (const [i, message] of request.messages.entries()) {
    if (typeof message.content === 'string') continue;
    for (const [j, part] of message.content.entries()) {
      if (part.type !== 'image') continue;
      const where = `messages.${i}.content.${j}`;
      images += 1;
      if (images > policy.maxImages) {
        throw new GatewayError(
          'invalid-argument',
          `${where}: more than the ${policy.maxImages} images a request may hold`,
        );
      }
      const bytes = part.source.type === 'base64' ? base64Bytes(part.source.data) : 0;
      if (bytes > policy.maxImageBytes) {
        throw new GatewayError(
          'invalid-argument',
          `${where}: an image of ${bytes} bytes is larger than the ${policy.maxImageBytes} allowed`,
        );
      }
    }
  }
}

/** What the request asks of its model beyond text. */
export function capabilitiesNeeded(request: ChatRequest): Capability[] {
  const needed = new Set<Capability>();
  if (request.tools) needed.add('tools');
  for (const m of request.messages) {
    if (m.role === 'tool' || (m.role === 'assistant' && m.toolCalls)) needed.add('tools');
    if (imagesOf(m).length > 0) needed.add('vision');
  }
  const format = request.responseFormat?.type;
  if (format === 'json' || format === 'json-schema') needed.add('json-schema');
  if (request.reasoning) needed.add('reasoning');
  return [...needed];
}

export interface PreparedChat {
  request: ChatRequest;
  claims: ClientTokenClaims;
  catalog: Catalog;
  targets: Target[];
}

/** Usage as recorded: only the details it has, never an `undefined` field. */
const withDetails = ({ inputTokens, outputTokens, estimated, ...details }: Usage): Usage => ({
  inputTokens,
  outputTokens,
  ...usageDetails(details),
  estimated,
});

/** A failed call still went into its conversation: the client learns which, to continue it. */
function withConversation(error: GatewayError, conversationId: string | undefined): GatewayError {
  if (!conversationId) return error;
  return new GatewayError(
    error.kind,
    error.message,
    { ...error.details, conversationId },
    { cause: error },
  );
}

/** Checks the request's size and that the caller may use the model; resolves the targets. */
export async function prepareChat(
  request: ChatRequest,
  claims: ClientTokenClaims,
  deps: Pick<AnswerDeps, 'entries' | 'policy'>,
): Promise<PreparedChat> {
  checkSize(request, deps.policy);
  const { catalog, targets } = await targetsFor(
    claims,
    request.model,
    ['chat', ...capabilitiesNeeded(request)],
    deps.entries,
  );
  return { request, claims, catalog, targets };
}

/**
 * Streams the answer to the channel through retries and fallbacks and returns it whole. A
 * failure before the first byte throws a GatewayError; one after it has already reached the
 * client as an `error` event, and is thrown too so that no caller mistakes it for an answer.
 */
export async function streamAnswer(
  prepared: PreparedChat,
  channel: ChatChannel,
  deps: Omit<AnswerDeps, 'entries'>,
  hooks: AnswerHooks,
  started: number,
): Promise<ChatResult> {
  const now = deps.now ?? Date.now;
  const { request, claims, catalog, targets } = prepared;
  const store = deps.db?.();
  const conversationId =
    store && deps.keepConversations
      ? await withDeadline(
          openConversation(store, claims.sub, request),
          deps.policy.storeTimeoutMs,
          'Firestore',
        )
      : undefined;
  // Where the exchange will be kept, before any of the answer: a client that stops it still
  // knows the conversation, and the message its next question follows.
  const ids =
    store && conversationId
      ? newExchangeIds(store, claims.sub, conversationId, request.regenerates !== undefined)
      : undefined;
  if (conversationId && ids) {
    await channel.sendChunk(
      {
        type: 'conversation',
        conversationId,
        ...(ids.question === undefined ? {} : { questionId: ids.question }),
        answerId: ids.answer,
      },
      targets[0]!.id,
    );
  }
  let served: Target = targets[0]!;
  let text = '';
  let reasoning: Reasoning | undefined;
  const toolCalls: ToolCall[] = [];
  let usage: Usage = { inputTokens: 0, outputTokens: 0, estimated: true };
  let counted = false;
  let finishReason: FinishReason = 'error';
  let stopSequence: string | undefined;
  let failure: CallOutcome['failure'];
  const finish = (status: string): void => {
    // What reached the client was produced and is paid for, even when no count came.
    const produced = text + (reasoning?.text ?? '') + toolCalls.map((c) => c.arguments).join('');
    if (!counted && produced !== '') usage = estimateUsage(request, produced);
    const latencyMs = now() - started;
    const outcome: CallOutcome = {
      claims,
      request,
      served,
      text,
      produced: produced !== '' || toolCalls.length > 0,
      usage,
      finishReason,
      failure,
      latencyMs,
      at: started,
    };
    hooks.onUsed(usageRecordOf({ ...outcome, status: statusOf(outcome) }), {
      usage,
      costUsd: costOf(usage, served.info),
    });
    // The writes are started first, and the log line written while they are under way.
    const recording =
      store && conversationId && ids
        ? recordExchange(store, outcome, conversationId, ids)
        : undefined;
    log(status, latencyMs);
    if (recording) hooks.onRecording(recording);
  };
  const log = (status: string, latencyMs: number): void =>
    logger.info('chat', {
      principal: claims.sub,
      provider: served.provider,
      model: served.id,
      requested: request.model,
      status,
      latencyMs,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      estimated: usage.estimated,
      overheadMs: hooks.clock.overheadMs(),
    });

  try {
    const {
      conversationId: _stored,
      parentId: _parent,
      regenerates: _again,
      model: _requested,
      ...unified
    } = request;
    // The output maximum its admission reserved (estimateCall), so a budget holds.
    const maxTokens = request.maxTokens ?? deps.policy.defaultMaxTokens;
    const events = hooks.clock.timed(
      hooks.telemetry.answer(
        executeChat(
          targets,
          { ...unified, maxTokens },
          { policy: deps.policy, signal: channel.signal, onRoute: (target) => (served = target) },
          { loadProvider: async (id) => catalog.providers.get(id)! },
        ),
        () => served,
      ),
    );
    for await (const event of events) {
      switch (event.type) {
        case 'text-delta':
          text += event.text;
          break;
        case 'reasoning-delta':
          reasoning = { ...reasoning, text: (reasoning?.text ?? '') + event.text };
          break;
        case 'reasoning-signature':
          reasoning = { text: reasoning?.text ?? '', signature: event.signature };
          break;
        case 'tool-call-start':
          toolCalls[event.index] = { id: event.id, name: event.name, arguments: '' };
          break;
        case 'tool-call-delta':
          toolCalls[event.index]!.arguments += event.argumentsDelta;
          break;
        case 'tool-call-end':
          break;
        case 'usage':
          [usage, counted] = [withDetails(event.usage), true];
          break;
        case 'finish':
          finishReason = event.reason;
          stopSequence = event.stopSequence;
          break;
        case 'error':
          failure = event;
          break;
      }
      await channel.sendChunk(event, served.id);
    }
  } catch (error) {
    if (error instanceof ProviderError) {
      const refused = fromProviderError(error);
      failure = { code: error.code ?? `status-${error.status}`, message: refused.message };
      finish(`failed:${error.status ?? error.code ?? 'error'}`);
      throw withConversation(refused, conversationId);
    }
    // Not the provider's failure (a chunk that could not be written to a client that has
    // gone, say): the call still ends here, and what it produced is recorded and settled.
    failure = { code: 'internal', message: 'The answer could not be delivered.' };
    finish('failed:internal');
    throw error;
  }

  finish(failure ? 'error' : finishReason);
  if (failure) {
    throw new GatewayError('unavailable', failure.message, {
      code: failure.code,
      retryable: 'retryable' in failure && failure.retryable,
      ...(conversationId ? { conversationId } : {}),
    });
  }
  if (finishReason === 'cancelled') {
    throw new GatewayError(
      'cancelled',
      'The call was cancelled.',
      conversationId ? { conversationId } : undefined,
    );
  }
  return {
    model: served.id,
    text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(reasoning ? { reasoning } : {}),
    finishReason,
    ...(stopSequence !== undefined ? { stopSequence } : {}),
    usage,
    ...(conversationId ? { conversationId } : {}),
  };
}
