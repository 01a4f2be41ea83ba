// Parses a request's body, query or params with a protocol schema; a failure is a 400 that
// says where and names every offending field path ("Invalid body: scopes.0: …").
import type { z } from 'zod';
import { describeIssues } from '@colonycraft/protocol';
import { ApiError } from '../errors.js';

export function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'params',
): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw new ApiError('invalid_request', `Invalid ${where}: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}
