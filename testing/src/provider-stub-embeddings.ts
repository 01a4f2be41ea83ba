// The stub's `POST /v1/embeddings` in OpenAI's format: deterministic vectors (the same text
// always gets the same one), `dimensions` honoured, `encoding_format` float or base64 (float32,
// little-endian), usage counted as the stub counts words. Faults: `status` and `latency` as
// everywhere (applied before this runs); `no-usage` leaves usage out.
import { createHash } from 'node:crypto';
import { countStubTokens, isRecord, sendJson, type StubExchange } from './provider-stub-core.js';

/** The length of the stub's vectors when a request names no `dimensions`. */
export const STUB_EMBEDDING_DIMENSIONS = 8;

/** The vector the stub gives `input`: unit length, from its text's SHA-256. */
export function stubEmbedding(input: string | readonly number[], dimensions: number): number[] {
  const text = typeof input === 'string' ? input : input.join(' ');
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block += 1) {
    const hash = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < hash.length && values.length < dimensions; i += 2)
      values.push(hash.readUInt16LE(i) / 65_535 - 0.5);
  }
  const norm = Math.hypot(...values) || 1;
  // Rounded through float32, so that base64 and float answers hold the same numbers.
  return values.map((v) => Math.fround(v / norm));
}

type Invalid = { message: string; param: string };

function readInputs(input: unknown): (string | number[])[] | Invalid {
  const items = typeof input === 'string' || isTokens(input) ? [input] : input;
  if (!Array.isArray(items) || items.length === 0)
    return { message: "'input' must be a non-empty string or array.", param: 'input' };
  for (const [i, item] of items.entries()) {
    if (typeof item === 'string' ? item === '' : !isTokens(item))
      return {
        message: `'input[${i}]' must be a non-empty string or token array.`,
        param: 'input',
      };
  }
  return items as (string | number[])[];
}

function isTokens(value: unknown): value is number[] {
  return (
    Array.isArray(value) && value.length > 0 && value.every((t) => Number.isInteger(t) && t >= 0)
  );
}

export function embeddings(
  ex: StubExchange,
  fail: (status: number, message: string, param: string) => void,
): void {
  const body = ex.record.body;
  if (!isRecord(body)) return fail(400, 'The body must be a JSON object.', 'body');
  if (typeof body.model !== 'string') return fail(400, "'model' is required.", 'model');
  const inputs = readInputs(body.input);
  if ('message' in inputs) return fail(400, inputs.message, inputs.param);
  const { dimensions, encoding_format: format } = body;
  if (dimensions !== undefined && !(Number.isInteger(dimensions) && (dimensions as number) > 0))
    return fail(400, "'dimensions' must be a positive integer.", 'dimensions');
  if (format !== undefined && format !== 'float' && format !== 'base64')
    return fail(400, "'encoding_format' must be 'float' or 'base64'.", 'encoding_format');
  const size = (dimensions as number | undefined) ?? STUB_EMBEDDING_DIMENSIONS;
  const data = inputs.map((input, index) => {
    const vector = stubEmbedding(input, size);
    const embedding =
      format === 'base64'
        ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
        : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = inputs.reduce(
    (n, input) => n + (typeof input === 'string' ? countStubTokens(input) : input.length),
    0,
  );
  sendJson(
    ex,
    200,
    {
      object: 'list',
      data,
      model: body.model,
      ...(ex.fault?.kind === 'no-usage'
        ? {}
        : { usage: { prompt_tokens: tokens, total_tokens: tokens } }),
    },
    { 'x-request-id': ex.requestId },
  );
}
