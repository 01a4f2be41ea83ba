// The chat callables: one per provider, running as a service account that may read only its
// own provider's key and loading only its own SDK, and `chat`, which may read them all and
// serves aliases that fall back across providers. Each renders the pipeline's events as
// callable chunks.
import { z } from 'zod';
import {
  ChatRequest,
  WithClientToken,
  type ChatChunk,
  type ChatResult,
} from '@colonycraft/protocol';
import type { Identified } from '../auth/authenticate.js';
import type { ChatChannel } from '../call/answer.js';
import { runCall, type CallDeps } from '../call/pipeline.js';
import { db } from '../firebase.js';
import { policyFromEnv } from '../gateway/policy.js';
import { getLimiter } from '../limits/limiter-from-env.js';
import { anthropicEntry } from '../providers/anthropic/entry.js';
import { localEntry } from '../providers/local/entry.js';
import { openaiEntry } from '../providers/openai/entry.js';
import { compatibleEntry } from '../providers/openai-compatible/entry.js';
import { PROVIDERS } from '../providers/registry.js';
import type { ProviderEntry } from '../providers/registry-types.js';
import { GATEWAY_SERVICE_ACCOUNT, SERVICE_ACCOUNTS } from '../service-accounts.js';
import { clientTokenHolder, defineCallable, parseInput } from './define-callable.js';

const ChatCallRequest = ChatRequest.extend(WithClientToken.shape);

/**
 * One chat call from a callable's data: the client token's holder, already identified, is
 * admitted before the data is validated (so malformed calls count too) and then answered.
 */
export function runChat(
  data: unknown,
  caller: Identified,
  channel: ChatChannel,
  deps: CallDeps,
): Promise<ChatResult> {
  return runCall(deps, caller, {
    parse: () => {
      const { clientToken: _token, ...request } = parseInput(ChatCallRequest, data);
      return { request };
    },
    respond: (call) => call.answer(channel),
  });
}

export function chatCallable(entries: readonly ProviderEntry[], serviceAccount: string) {
  return defineCallable<z.ZodUnknown, Identified, ChatResult, ChatChunk>({
    options: { serviceAccount, timeoutSeconds: 540 },
    // Its revocation is checked by the pipeline, beside the rate limiter's decision.
    caller: clientTokenHolder,
    // Parsed by the pipeline once the call is admitted.
    input: z.unknown(),
    handle: (data, { caller, response }) =>
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
          keepConversations: true,
        },
      ),
  });
}

export const chatLocal = chatCallable([localEntry], SERVICE_ACCOUNTS.local);
export const chatOpenai = chatCallable([openaiEntry], SERVICE_ACCOUNTS.openai);
export const chatAnthropic = chatCallable([anthropicEntry], SERVICE_ACCOUNTS.anthropic);
export const chatCompatible = chatCallable([compatibleEntry], SERVICE_ACCOUNTS.compatible);
export const chat = chatCallable(PROVIDERS, GATEWAY_SERVICE_ACCOUNT);
