// `POST /v1/messages`: Anthropic's Messages request parsed into the call pipeline, and its answer
// rendered back as a message or as Anthropic's named stream events; and
// `POST /v1/messages/count_tokens`, the gateway's estimate of a request's input tokens.
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Identified } from '../auth/authenticate.js';
import { admitCall, admitUnlessRevoked } from '../call/admission.js';
import { capabilitiesNeeded, checkSize, type ChatChannel } from '../call/answer.js';
import { runCall, type AdmittedCall, type CallDeps } from '../call/pipeline.js';
import { GatewayError } from '../errors.js';
import { boundInputTokens, estimateInputTokens } from '../providers/usage.js';
import { parseCountTokensRequest, parseMessagesRequest } from './anthropic-request.js';
import { anthropicErrorFrom, message } from './anthropic-response.js';
import { AnthropicEvents, type NamedEvent } from './anthropic-stream.js';
import { clientGone, overheadHeader } from './middleware.js';
import { SseWriter } from './sse-writer.js';
import { targetsFor } from '../call/targets.js';

type Parsed = ReturnType<typeof parseMessagesRequest>;

/** How often a stream that has no answer yet sends a `ping`, so proxies keep it open. */
export const PING_MS = 10_000;

/** Whether a path is one of these routes, whose errors take Anthropic's shape. */
export const isMessagesPath = (path: string): boolean => /^(\/v1)?\/messages(\/|$)/.test(path);

/** The credential as Anthropic's SDK sends it (`x-api-key`), or as a Bearer. */
export function credentialOf(req: Request): string {
  const key = req.get('x-api-key')?.trim();
  if (key) return key;
  const bearer = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
  if (bearer) return bearer;
  throw new GatewayError(
    'unauthenticated',
    'Send an API key or client token as "x-api-key: <key>" or "Authorization: Bearer <key>".',
  );
}

/**
 * A size or image refusal made once the call was admitted names the unified message; its
 * message is said again naming the block of the Anthropic request it came from.
 */
function respelled(error: unknown, spell: Parsed['spell']): unknown {
  if (!(error instanceof GatewayError) || error.kind !== 'invalid-argument') return error;
  const where = /^messages\.(\d+)(?:\.content\.(\d+))?(?=: )/.exec(error.message);
  if (!where) return error;
  const path = ['messages', Number(where[1]), ...(where[2] ? ['content', Number(where[2])] : [])];
  const message = spell(path) + error.message.slice(where[0].length);
  return new GatewayError(error.kind, message, error.details, { cause: error });
}

export async function messages(
  req: Request,
  res: Response,
  caller: Identified,
  deps: CallDeps,
): Promise<void> {
  await runCall(deps, caller, {
    parse: () => parseMessagesRequest(req.body, req.get('anthropic-beta')),
    admitted: (headers) => res.set(headers),
    respond: async (call) => {
      try {
        await respond(res, call);
      } catch (error) {
        throw respelled(error, call.parsed.spell);
      }
    },
  });
}

async function respond(res: Response, call: AdmittedCall<Parsed>): Promise<void> {
  const id = `msg_${randomUUID().replaceAll('-', '')}`;
  const aborted = clientGone(res);

  if (!call.parsed.messages.stream) {
    const result = await call.answer({ sendChunk: async () => true, signal: aborted });
    await call.settled();
    res.set(overheadHeader(call)).json(message(id, result));
    return;
  }

  const { request } = call.parsed;
  const events = new AnthropicEvents(id, boundInputTokens(request).likely);
  const sse = new SseWriter(res, () => overheadHeader(call));
  const opening = (model: string): NamedEvent[] => (sse.started ? [] : events.start(model));
  // A first answer slower than PING_MS opens the stream (for the model asked for: the one that
  // serves it is not known yet) and keeps it alive with pings until the answer begins. A
  // failure before then is answered with its status instead.
  const ping = setInterval(() => {
    void sse.sendNamed([...opening(request.model), { event: 'ping', data: { type: 'ping' } }]);
  }, PING_MS);
  const channel: ChatChannel = {
    signal: aborted,
    sendChunk: async (event, model) => {
      clearInterval(ping);
      await sse.sendNamed([...opening(model), ...events.translate(event)]);
      // The answer is all there: it must not wait for the work that ends the call.
      if (event.type === 'finish') sse.flush();
    },
  };
  try {
    await call.answer(channel);
    // The answer is complete once the client has message_stop: not before its usage is recorded.
    await call.settled();
    await sse.endNamed([{ event: 'message_stop', data: { type: 'message_stop' } }]);
  } catch (error) {
    // Before the first byte the error handler answers with a status; after it, the stream
    // carries the error as Anthropic's does, and never ends with message_stop.
    if (!sse.started) throw error;
    const { body } = anthropicErrorFrom(respelled(error, call.parsed.spell));
    await call.settled();
    await sse.endNamed([{ event: 'error', data: body }]);
  } finally {
    clearInterval(ping);
  }
}

/** What a count reserves: one token, returned when it is settled, as a malformed call's is. */
const ONE_REQUEST = { tokens: 1, costUsd: 0 };

/**
 * The request's input tokens as the gateway estimates them (the tokenizer admission uses), not
 * the provider's count: no provider is called. It counts as one request against the caller's
 * rate limit, and spends no tokens or budget.
 */
export async function countTokens(
  req: Request,
  res: Response,
  { claims, checkRevocation }: Identified,
  deps: CallDeps,
): Promise<void> {
  let request: ReturnType<typeof parseCountTokensRequest> | undefined;
  let invalid: unknown;
  try {
    request = parseCountTokensRequest(req.body);
  } catch (error) {
    invalid = error;
  }
  const admission = await admitUnlessRevoked(
    checkRevocation(),
    admitCall(deps.limiter?.(), claims, ONE_REQUEST),
  );
  res.set(admission.headers);
  await admission.settle(undefined);
  if (!request) throw invalid;
  checkSize(request, deps.policy);
  // As /v1/messages would: an unknown model, or one the token does not allow, is refused.
  await targetsFor(claims, request.model, ['chat', ...capabilitiesNeeded(request)], deps.entries);
  res.json({ input_tokens: estimateInputTokens(request) });
}
