// One chat call, whatever the provider: validate, authorize, stream the provider's events to
// the client, and return the whole answer. Every call ends in exactly one log line.
import {
  ChatRequest,
  WithClientToken,
  describeIssues,
  splitModelId,
  type ChatResult,
  type ClientTokenClaims,
  type FinishReason,
  type StreamEvent,
  type Usage,
} from '@colonycraft/protocol';
import type { CryptoKey } from 'jose';
import { logger } from 'firebase-functions';
import { GatewayError } from '../errors.js';
import { verifyClientToken } from '../auth/client-token.js';
import type { Provider } from '../providers/provider.js';

export const ChatCallRequest = ChatRequest.extend(WithClientToken.shape);

export interface ChatChannel {
  sendChunk(event: StreamEvent): Promise<unknown>;
  signal: AbortSignal;
}

export interface ChatDeps {
  providerId: string;
  provider: () => Promise<Provider>;
  verifyKeys: () => Promise<ReadonlyMap<string, CryptoKey>>;
  now?: () => number;
}

function mayUse(claims: ClientTokenClaims, model: string): boolean {
  return claims.models.includes('*') || claims.models.includes(model);
}

export async function runChat(
  data: unknown,
  channel: ChatChannel,
  deps: ChatDeps,
): Promise<ChatResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const parsed = ChatCallRequest.safeParse(data);
  if (!parsed.success) throw new GatewayError('invalid-argument', describeIssues(parsed.error));
  const { clientToken, ...request } = parsed.data;

  const claims = await verifyClientToken(clientToken, await deps.verifyKeys());
  const { provider: providerId } = splitModelId(request.model);
  if (providerId !== deps.providerId) {
    throw new GatewayError(
      'invalid-argument',
      `model: "${request.model}" is not served by the ${deps.providerId} provider`,
    );
  }
  if (!mayUse(claims, request.model)) {
    throw new GatewayError(
      'permission-denied',
      `model: your token does not allow "${request.model}"`,
    );
  }
  const provider = await deps.provider();
  if (!provider.models.some((m) => m.id === request.model)) {
    throw new GatewayError('invalid-argument', `model: "${request.model}" is not a known model`);
  }

  let text = '';
  let usage: Usage = { inputTokens: 0, outputTokens: 0, estimated: true };
  let finishReason: FinishReason = 'error';
  let failure: Extract<StreamEvent, { type: 'error' }> | undefined;
  for await (const event of provider.streamChat(request, { signal: channel.signal })) {
    if (event.type === 'text-delta') text += event.text;
    else if (event.type === 'usage') usage = event.usage;
    else if (event.type === 'finish') finishReason = event.reason;
    else failure = event;
    await channel.sendChunk(event);
  }

  logger.info('chat', {
    principal: claims.sub,
    provider: providerId,
    model: request.model,
    status: failure ? 'error' : finishReason,
    latencyMs: now() - started,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
  });
  if (failure) {
    throw new GatewayError('unavailable', failure.message, {
      code: failure.code,
      retryable: failure.retryable,
    });
  }
  if (finishReason === 'cancelled') throw new GatewayError('cancelled', 'The call was cancelled.');
  return { model: request.model, text, finishReason, usage };
}
