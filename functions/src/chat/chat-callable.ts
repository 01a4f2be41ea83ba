// Builds the streaming callable for one provider. Each provider gets its own function so it
// binds only its own secret and loads only its own SDK.
import { onCall } from 'firebase-functions/v2/https';
import type { SecretParam } from 'firebase-functions/params';
import type { ChatResult, StreamEvent } from '@colonycraft/protocol';
import { toHttpsError } from '../errors.js';
import { currentVerifyKeys } from '../auth/keys.js';
import type { Provider } from '../providers/provider.js';
import { runChat } from './run-chat.js';

export function chatCallable(options: {
  providerId: string;
  provider: () => Promise<Provider>;
  secrets?: SecretParam[];
}) {
  return onCall<unknown, Promise<ChatResult>, StreamEvent>(
    { secrets: options.secrets ?? [], timeoutSeconds: 300 },
    async (request, response) => {
      const channel = {
        sendChunk: (event: StreamEvent) => response?.sendChunk(event) ?? Promise.resolve(false),
        signal: response?.signal ?? new AbortController().signal,
      };
      try {
        return await runChat(request.data, channel, {
          providerId: options.providerId,
          provider: options.provider,
          verifyKeys: currentVerifyKeys,
        });
      } catch (error) {
        throw toHttpsError(error);
      }
    },
  );
}
