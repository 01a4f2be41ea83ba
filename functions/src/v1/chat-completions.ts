// `POST /v1/chat/completions`: OpenAI's Chat Completions request parsed into the call pipeline,
// and its answer rendered back as a completion or as stream chunks ending in `[DONE]`.
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Identified } from '../auth/authenticate.js';
import type { ChatChannel } from '../call/answer.js';
import { runCall, type AdmittedCall, type CallDeps } from '../call/pipeline.js';
import { GatewayError } from '../errors.js';
import { parseCompletionRequest } from './openai-request.js';
import {
  chunk,
  completion,
  deltaOf,
  errorBody,
  errorFromGateway,
  usageChunk,
} from './openai-response.js';
import { clientGone, overheadHeader } from './middleware.js';
import { SseWriter } from './sse-writer.js';

type Parsed = ReturnType<typeof parseCompletionRequest>;

export async function chatCompletions(
  req: Request,
  res: Response,
  caller: Identified,
  deps: CallDeps,
): Promise<void> {
  await runCall(deps, caller, {
    parse: () => parseCompletionRequest(req.body),
    admitted: (headers) => res.set(headers),
    respond: (call) => respond(res, call),
  });
}

async function respond(res: Response, call: AdmittedCall<Parsed>): Promise<void> {
  const asked = call.parsed.completion;
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(call.started / 1000);
  const aborted = clientGone(res);

  if (!asked.stream) {
    const result = await call.answer({ sendChunk: async () => true, signal: aborted });
    await call.settled();
    res.set(overheadHeader(call)).json(completion(id, created, result));
    return;
  }

  const sse = new SseWriter(res, () => overheadHeader(call));
  const channel: ChatChannel = {
    signal: aborted,
    sendChunk: async (event, model) => {
      // The role chunk opens the stream, in one write with the first event's chunk. Its content
      // is null when the answer opens with a tool call, as OpenAI's is: the SDK's stream helper
      // keeps it as the message's content, which is then null as in a whole completion.
      const opening = {
        role: 'assistant' as const,
        content: event.type === 'tool-call-start' ? null : '',
      };
      const chunks = sse.started ? [] : [chunk(id, created, model, opening)];
      const delta = deltaOf(event);
      if (delta) chunks.push(chunk(id, created, model, delta));
      if (event.type === 'finish' && event.reason !== 'cancelled')
        chunks.push(chunk(id, created, model, {}, event.reason));
      if (chunks.length > 0) await sse.send(...chunks);
      // The answer is all there: it must not wait for the work that ends the call.
      if (event.type === 'finish') sse.flush();
    },
  };
  try {
    const result = await call.answer(channel);
    // The answer is complete once the client has [DONE]: not before its usage is recorded.
    await call.settled();
    if (asked.stream_options?.include_usage)
      await sse.send(usageChunk(id, created, result.model, result.usage));
    await sse.done();
  } catch (error) {
    // Before the first byte the error handler answers with a status; after it, the stream
    // carries the error as OpenAI does, and never ends with [DONE].
    if (!sse.started) throw error;
    const { body } =
      error instanceof GatewayError
        ? errorFromGateway(error)
        : errorBody('internal', 'Internal error.');
    await call.settled();
    await sse.fail(body);
  }
}
