// `POST /v1/embeddings`: OpenAI's embeddings request parsed into the call pipeline, and its
// vectors rendered back as OpenAI's list, in floats or (as the openai SDK asks by default)
// base64 of little-endian float32s.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { EmbeddingsRequest, ModelRef, describeIssues } from '@colonycraft/protocol';
import type { Identified } from '../auth/authenticate.js';
import { runEmbedding, type CallDeps } from '../call/pipeline.js';
import { GatewayError } from '../errors.js';
import { clientGone, overheadHeader } from './middleware.js';

const Tokens = z.array(z.number().int());

const EmbeddingsBody = z.object({
  model: ModelRef,
  // One text or token array, or a list of either.
  input: z.union([z.string(), Tokens, z.array(z.union([z.string(), Tokens]))]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});

function parseEmbeddingsRequest(body: unknown) {
  const parsed = EmbeddingsBody.safeParse(body);
  if (!parsed.success) throw new GatewayError('invalid-argument', describeIssues(parsed.error));
  const { model, input, dimensions, encoding_format: format } = parsed.data;
  const single =
    typeof input === 'string' ||
    (input.length > 0 && input.every((item) => typeof item === 'number'));
  const request = EmbeddingsRequest.safeParse({
    model,
    input: single ? [input] : input,
    ...(dimensions !== undefined ? { dimensions } : {}),
  });
  if (!request.success) throw new GatewayError('invalid-argument', describeIssues(request.error));
  return { request: request.data, base64: format === 'base64' };
}

/** A vector as OpenAI's base64 encoding of it: float32s, little-endian. */
function base64Of(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

export async function embeddings(
  req: Request,
  res: Response,
  caller: Identified,
  deps: CallDeps,
): Promise<void> {
  await runEmbedding(deps, caller, {
    parse: () => parseEmbeddingsRequest(req.body),
    admitted: (headers) => res.set(headers),
    respond: async (call) => {
      const aborted = clientGone(res);
      const result = await call.embed(aborted);
      await call.settled();
      const { inputTokens } = result.usage;
      res.set(overheadHeader(call)).json({
        object: 'list',
        data: result.embeddings.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: call.parsed.base64 ? base64Of(vector) : vector,
        })),
        model: result.model,
        usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
      });
    },
  });
}
