// The chat callables: one per row of the provider table, in the function group `chatBy`
// (`chatBy-openai`, …), each running as a service account that may read only its own
// provider's key and loading only its own SDK; and `chat`, which may read them all and serves
// aliases that fall back across providers. Each renders the pipeline's events as callable
// chunks, and keeps the exchange in the caller's conversation: for an API key's token, only
// when its key has the `conversations:write` scope (without it, the answer is kept nowhere).
import { z } from 'zod';
import {
  ChatRequest,
  WithClientToken,
  checkKeptImages,
  type ChatChunk,
  type ChatResult,
  type KnownProviderId,
} from '@colonycraft/protocol';
import type { Identified } from '../auth/authenticate.js';
import { conversationAccess, requireConversationAccess } from '../auth/conversation-access.js';
import type { ChatChannel } from '../call/answer.js';
import { runCall, type CallDeps } from '../call/pipeline.js';
import { db } from '../firebase.js';
import { catalogFor } from '../gateway/catalog-cache.js';
import { policyFromEnv } from '../gateway/policy.js';
import { getLimiter } from '../limits/limiter-from-env.js';
import { instanceLedgerDrainer } from '../usage/ledger-drain.js';
import { PROVIDERS } from '../providers/registry.js';
import type { ProviderEntry } from '../providers/registry-types.js';
import { GATEWAY_SERVICE_ACCOUNT, providerServiceAccount } from '../service-accounts.js';
import { startTelemetry } from '../telemetry/start.js';
import { costOf } from '../usage/usage-ledger.js';
import { clientTokenHolder, defineCallable, parseInput } from './define-callable.js';

const ChatCallRequest = ChatRequest.safeExtend(WithClientToken.shape);
/** A request whose exchange is kept: its question's images must fit the conversation. */
const KeptChatCallRequest = ChatCallRequest.superRefine(checkKeptImages);

/**
 * One chat call from a callable's data: the client token's holder, already identified, is
 * admitted before the data is validated (so malformed calls count too) and then answered.
 * An API key's token without `conversations:write` may not name a conversation, and its new
 * exchanges are not kept in its owner's.
 */
export function runChat(
  data: unknown,
  caller: Identified,
  channel: ChatChannel,
  deps: CallDeps,
): Promise<ChatResult> {
  const keep = deps.keepConversations === true && conversationAccess(caller.claims) === 'write';
  return runCall({ ...deps, keepConversations: keep }, caller, {
    parse: () => {
      const schema = keep ? KeptChatCallRequest : ChatCallRequest;
      const { clientToken: _token, ...request } = parseInput(schema, data);
      if (request.conversationId !== undefined) requireConversationAccess(caller.claims, 'write');
      return { request };
    },
    respond: async (call) => withCost(await call.answer(channel), deps.entries),
  });
}

/**
 * The answer's cost in its final chunk (the callable's result), so the chat shows it as soon as
 * the answer ends: the same `costOf` at the same catalog's prices as its stored message. The
 * catalog is the instance's cached one, which served the call; a model gone from it since (a
 * rebuilt catalog) leaves the cost out rather than guessing.
 */
async function withCost(
  result: ChatResult,
  entries: readonly ProviderEntry[],
): Promise<ChatResult> {
  const info = (await catalogFor(entries).catch(() => undefined))?.models.get(result.model);
  return info ? { ...result, costUsd: costOf(result.usage, info) } : result;
}

/** Traces and metrics, exported when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/telemetry.md). */
const telemetry = startTelemetry();

export function chatCallable(entries: readonly ProviderEntry[], serviceAccount: string) {
  return defineCallable<z.ZodUnknown, Identified, ChatResult, ChatChunk>({
    options: { serviceAccount, timeoutSeconds: 540 },
    // Its revocation is checked by the pipeline, beside the rate limiter's decision.
    caller: clientTokenHolder,
    // Parsed by the pipeline once the call is admitted.
    input: z.unknown(),
    handle: (data, { caller, response }) =>
      telemetry.then(() =>
        runChat(
          data,
          caller,
          {
            sendChunk: (event) => response?.sendChunk(event) ?? Promise.resolve(false),
            signal: response?.signal ?? new AbortController().signal,
          },
          {
            entries,
            policy: policyFromEnv(),
            db,
            limiter: getLimiter,
            ledger: instanceLedgerDrainer,
            keepConversations: true,
          },
        ),
      ),
  });
}

/**
 * Firebase deploys an exported object of functions as a group, each member as `group-key`: so
 * a table row is enough to deploy its callable, under the name the row gives
 * (`CHAT_CALLABLE_GROUP`-id; a test checks the two agree).
 */
export const chatBy = Object.fromEntries(
  PROVIDERS.map((entry) => [entry.id, chatCallable([entry], providerServiceAccount(entry))]),
) as Record<KnownProviderId, ReturnType<typeof chatCallable>>;

export const chat = chatCallable(PROVIDERS, GATEWAY_SERVICE_ACCOUNT);
