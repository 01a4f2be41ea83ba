// Shared pieces of the provider stub: the fault and recorded-request types, the deterministic
// reply and token count, and the small SSE and timing helpers both wire formats use.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { StubReply } from './provider-stub-reply.js';

/**
 * A misbehaviour applied to one request, via `stub.script(...)` or the `x-stub-fault` header.
 * Content chunks are what the stub streams of the answer itself, in stream order: the words of
 * the reasoning, the words of the text, and the fragments of each tool call's arguments. So
 * `{ kind: 'cut', afterChunks: N }` can cut a stream inside a tool call's arguments; the events
 * between two content chunks (a block's start or end, a tool call's first delta) go out before
 * the fault, the events after the last one (finish reason, usage) never do.
 */
export type Fault =
  /** Answer with this HTTP status in the provider's error shape; `retryAfter` is in seconds. */
  | { kind: 'status'; status: number; retryAfter?: number; message?: string }
  /** Wait this long before sending the response headers. */
  | { kind: 'latency'; ms: number }
  /** Streams only: wait this long before each content chunk (words and argument fragments). */
  | { kind: 'chunk-delay'; ms: number }
  /** Streams: destroy the socket after N content chunks (non-streaming: before any response). */
  | { kind: 'cut'; afterChunks: number }
  /** Streams only: send the provider's in-stream error event after N content chunks, then end. */
  | { kind: 'error-event'; afterChunks: number }
  /** Streams: a `data: {not json` line after N content chunks, then the end (else a non-JSON 200). */
  | { kind: 'malformed'; afterChunks: number }
  /** Streams only: SSE comment lines `: keep-alive` before each chunk. */
  | { kind: 'keep-alive' }
  /** Leave usage out of the answer, streaming or not. */
  | { kind: 'no-usage' }
  /** OpenAI format only: usage without `completion_tokens`, as some compatible servers send. */
  | { kind: 'partial-usage' };

export type FaultKind = Fault['kind'];

export type StubProviderName = 'openai' | 'anthropic';

/** What reached the stub, for tests to assert on; `status`, `aborted`, `finished` change later. */
export interface RecordedRequest {
  method: string;
  /** The path without the query string, for example `/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON; `undefined` when it is empty or not JSON (see `rawBody`). */
  body: unknown;
  rawBody: string;
  /** Which wire format the stub answered in. */
  provider: StubProviderName;
  /** Whether the body asked for a stream (`stream: true`). */
  stream: boolean;
  /** The fault applied to this request, if any. */
  fault: Fault | undefined;
  /** The scripted reply this request took, if any. */
  reply: StubReply | undefined;
  /** The status code sent, once the response headers went out. */
  status: number | undefined;
  /** True when the client closed the connection before the response was complete. */
  aborted: boolean;
  /** True once the stub ended the response itself (not cut by a fault, not aborted). */
  finished: boolean;
}

/** The stub's whole answer to a prompt whose last user message is `lastUserMessage`. */
export function stubReply(lastUserMessage: string): string {
  return `Hello from the stub. You said: ${lastUserMessage}`;
}

/**
 * Deterministic token count: whitespace-separated words, at least 1. Completion usage counts the
 * reply's text and tool-call arguments (joined by newlines), plus its reasoning's words; prompt
 * usage counts the texts of all messages (system first, tool results and earlier tool-call
 * arguments included) joined by newlines, plus `STUB_IMAGE_TOKENS` for each image. Scripted
 * cache tokens come on top: in OpenAI's `prompt_tokens` (cached ones also in `cached_tokens`),
 * in Anthropic's `cache_read_input_tokens` / `cache_creation_input_tokens`, not `input_tokens`.
 */
export function countStubTokens(text: string): number {
  return Math.max(1, text.split(/\s+/).filter((word) => word.length > 0).length);
}

/** Prompt tokens for one image, whatever its size, in either format. */
export const STUB_IMAGE_TOKENS = 85;

/**
 * Splits a reply into the chunks the stub streams: one per word, each with the whitespace
 * before it, so that `chunks.join('')` is exactly `text`.
 */
export function splitStubChunks(text: string): string[] {
  const chunks = text.match(/\s*\S+/g) ?? [];
  const covered = chunks.join('').length;
  if (covered < text.length) {
    const rest = text.slice(covered);
    if (chunks.length === 0) return [rest];
    chunks[chunks.length - 1] += rest;
  }
  return chunks;
}

export interface ReplyPlan {
  text: string;
  chunks: string[];
  completionTokens: number;
  /** `end`: the whole reply; `length`: cut by the token limit; `stop`: cut at a stop sequence. */
  reason: 'end' | 'length' | 'stop';
  stopSequence: string | null;
}

export interface ReplyLimits {
  maxTokens?: number | undefined;
  stop?: readonly string[] | undefined;
}

/** The reply after applying stop sequences, then the token limit (one token per word chunk). */
export function planReply(lastUserMessage: string, limits: ReplyLimits = {}): ReplyPlan {
  return planText(stubReply(lastUserMessage), limits);
}

/** `planReply` for any text: stop sequences first, then the token limit. */
export function planText(whole: string, limits: ReplyLimits = {}): ReplyPlan {
  let text = whole;
  let reason: ReplyPlan['reason'] = 'end';
  let stopSequence: string | null = null;
  let cutAt = -1;
  for (const candidate of limits.stop ?? []) {
    if (candidate.length === 0) continue;
    const index = text.indexOf(candidate);
    if (index !== -1 && (cutAt === -1 || index < cutAt)) {
      cutAt = index;
      stopSequence = candidate;
    }
  }
  if (cutAt !== -1) {
    text = text.slice(0, cutAt);
    reason = 'stop';
  }
  let chunks = splitStubChunks(text);
  if (limits.maxTokens !== undefined && chunks.length > limits.maxTokens) {
    chunks = chunks.slice(0, limits.maxTokens);
    text = chunks.join('');
    reason = 'length';
    stopSequence = null;
  }
  return { text, chunks, completionTokens: countStubTokens(text), reason, stopSequence };
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether `text` is non-empty standard base64 with its padding. */
export const isBase64 = (text: string): boolean =>
  text.length > 0 && text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text);

/** The four image types both providers take. */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** Checks a fault that came from outside (the `x-stub-fault` header), without zod. */
export function parseFault(value: unknown): { fault: Fault } | { error: string } {
  if (!isRecord(value)) return { error: 'a fault must be a JSON object with a "kind"' };
  const { kind } = value;
  switch (kind) {
    case 'status': {
      const { status, retryAfter, message } = value;
      if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599)
        return { error: 'status must be an integer from 400 to 599' };
      if (retryAfter !== undefined && !isCount(retryAfter))
        return { error: 'retryAfter must be a number of seconds' };
      if (message !== undefined && typeof message !== 'string')
        return { error: 'message must be a string' };
      return {
        fault: {
          kind,
          status,
          ...(retryAfter === undefined ? {} : { retryAfter }),
          ...(message === undefined ? {} : { message }),
        },
      };
    }
    case 'latency':
    case 'chunk-delay':
      return isCount(value.ms) ? { fault: { kind, ms: value.ms } } : { error: 'ms must be >= 0' };
    case 'cut':
    case 'error-event':
    case 'malformed':
      return isCount(value.afterChunks) && Number.isInteger(value.afterChunks)
        ? { fault: { kind, afterChunks: value.afterChunks } }
        : { error: 'afterChunks must be an integer >= 0' };
    case 'keep-alive':
    case 'no-usage':
    case 'partial-usage':
      return { fault: { kind } };
    default:
      return { error: `unknown fault kind ${JSON.stringify(kind)}` };
  }
}

/** One request being answered, as the wire-format modules see it. */
export interface StubExchange {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  fault: Fault | undefined;
  /** The scripted reply to give, if any. */
  reply: StubReply | undefined;
  /** Aborted when the connection closes or the stub shuts down. */
  signal: AbortSignal;
  /** When set, the only key accepted. */
  apiKey: string | undefined;
  /** Whether a request without a key is answered (OpenAI format only). */
  keyless: boolean;
  requestId: string;
  /** Destroys the socket on purpose; the request is then not counted as aborted by the client. */
  cut(): void;
}

/** One wire format: how it answers requests and how it shapes its errors. */
export interface StubProvider {
  handle(ex: StubExchange): Promise<void>;
  sendError(
    ex: StubExchange,
    status: number,
    message?: string,
    headers?: Record<string, string>,
  ): void;
}

/** Sleeps, waking early (without throwing) when the signal aborts. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return;
  await delay(ms, undefined, { signal }).catch(() => undefined);
}

export function sendJson(
  ex: StubExchange,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (ex.res.headersSent || ex.signal.aborted) return;
  const text = JSON.stringify(body);
  ex.record.status = status;
  ex.res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  ex.res.end(text);
}

/** One event of a stream's body; `content` marks the chunks that stream faults count. */
export interface StreamEvent {
  data: string;
  content: boolean;
}

/** The events of one stream, in the provider's own SSE framing. */
export interface StreamScript {
  headers: Record<string, string>;
  /** Events before the answer (role chunk, message_start). */
  head: string[];
  /** The answer: content chunks, and the events around them (block starts and stops, ...). */
  body: StreamEvent[];
  /** Events after the answer (finish reason, usage, [DONE], ...). */
  tail: string[];
  errorEvent: string;
  malformedEvent: string;
}

/**
 * How many body events go out before a cut, error event or malformed line after `afterChunks`
 * content chunks: up to the next content chunk, or just past the last one.
 */
function breakIndex(body: readonly StreamEvent[], afterChunks: number): number {
  let seen = 0;
  let end = 0;
  for (const [index, event] of body.entries()) {
    if (!event.content) continue;
    if (seen === afterChunks) return index;
    seen += 1;
    end = index + 1;
  }
  return end;
}

/** Writes a stream, applying the stream faults: delays, keep-alive comments, cut, error, malformed. */
export async function runStream(ex: StubExchange, script: StreamScript): Promise<void> {
  const { res, fault, signal } = ex;
  const open = () => !signal.aborted && !res.destroyed;
  // Resolves once the bytes are flushed, or as soon as the connection goes away.
  const write = (text: string) =>
    new Promise<void>((resolve) => {
      if (!open()) return resolve();
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      res.write(text, done);
    });
  const keepAlive = fault?.kind === 'keep-alive';
  const chunkDelay = fault?.kind === 'chunk-delay' ? fault.ms : 0;
  const breaking =
    fault?.kind === 'cut' || fault?.kind === 'error-event' || fault?.kind === 'malformed';
  const body = breaking
    ? script.body.slice(0, breakIndex(script.body, fault.afterChunks))
    : script.body;

  ex.record.status = 200;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...script.headers,
  });
  res.flushHeaders();
  for (const event of script.head) await write(event);
  for (const event of body) {
    if (event.content) {
      if (keepAlive) await write(': keep-alive\n\n');
      await sleep(chunkDelay, signal);
    }
    if (!open()) return;
    await write(event.data);
  }
  if (!open()) return;
  if (fault?.kind === 'cut') return ex.cut();
  if (fault?.kind === 'error-event' || fault?.kind === 'malformed') {
    await write(fault.kind === 'error-event' ? script.errorEvent : script.malformedEvent);
    res.end();
    return;
  }
  if (keepAlive) await write(': keep-alive\n\n');
  for (const event of script.tail) await write(event);
  res.end();
}
