// Builds a streaming chat callable. Each provider gets its own, running as a service account
// that may read only its own provider's key, and loading only its own SDK; `chat` may read
// them all and serves aliases that fall back across providers.
import { onCall } from 'firebase-functions/v2/https';
import type { ChatChunk, ChatResult } from '@colonycraft/protocol';
import { toHttpsError } from '../errors.js';
import { authenticateClientToken, identifyClientToken } from '../auth/authenticate.js';
import { db } from '../firebase.js';
import { getLimiter } from '../limits/limiter-from-env.js';
import { policyFromEnv } from '../gateway/policy.js';
import type { ProviderEntry } from '../providers/registry-types.js';
import { runChat } from './run-chat.js';

export function chatCallable(entries: readonly ProviderEntry[], serviceAccount: string) {
  return onCall<unknown, Promise<ChatResult>, ChatChunk>(
    { serviceAccount, timeoutSeconds: 540 },
    async (request, response) => {
      const channel = {
        sendChunk: (event: ChatChunk) => response?.sendChunk(event) ?? Promise.resolve(false),
        signal: response?.signal ?? new AbortController().signal,
      };
      try {
        return await runChat(request.data, channel, {
          entries,
          authenticate: authenticateClientToken,
          // The denylist check then runs beside the rate limiter's decision: one wait less.
          identify: identifyClientToken,
          policy: policyFromEnv(),
          db,
          limiter: getLimiter,
          keepConversations: true,
        });
      } catch (error) {
        throw toHttpsError(error);
      }
    },
  );
}
