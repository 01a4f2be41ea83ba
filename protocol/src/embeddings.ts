// The unified embeddings request and result: what `/v1/embeddings` parses into and what every
// provider with embedding models answers.
import { z } from 'zod';
import { ModelId, ModelRef, Usage } from './chat.js';

/** One input: text, or the token ids of text (OpenAI's arrays of integers). */
export const EmbeddingInput = z.union(
  [
    z.string().min(1, 'must not be empty'),
    z.array(z.number().int().nonnegative()).min(1, 'must hold at least one token'),
  ],
  { error: 'must be text or an array of token ids' },
);
export type EmbeddingInput = z.infer<typeof EmbeddingInput>;

export const EmbeddingsRequest = z.object({
  model: ModelRef,
  input: z.array(EmbeddingInput).min(1, 'must hold at least one input'),
  /** Fewer dimensions than the model's own, where the model can shorten its vectors. */
  dimensions: z.number().int().positive().max(65_536).optional(),
});
export type EmbeddingsRequest = z.infer<typeof EmbeddingsRequest>;

export const EmbeddingsResult = z.object({
  /** The model that answered: for an alias, the target that served it. */
  model: ModelId,
  /** One vector per input, in the inputs' order. */
  embeddings: z.array(z.array(z.number())),
  usage: Usage,
});
export type EmbeddingsResult = z.infer<typeof EmbeddingsResult>;
