// Opaque paging cursors: base64url of a small JSON position. Opaque so callers cannot build
// or edit them; a cursor that does not parse is the caller's error (400), never a 500.
import type { z } from 'zod';
import { ApiError } from '../errors.js';

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ApiError('invalid_request', 'Invalid query: cursor: not a cursor');
  return parsed.data;
}
