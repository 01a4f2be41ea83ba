// A wire-compatible stand-in for the OpenAI and Anthropic HTTP APIs, for tests: node:http only,
// deterministic or scripted replies (text, reasoning, tool calls), recorded requests, the
// providers' request checks and scriptable faults (errors, delays, broken streams).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicProvider } from './provider-stub-anthropic.js';
import {
  isRecord,
  parseFault,
  sleep,
  type Fault,
  type RecordedRequest,
  type StubExchange,
  type StubProvider,
  type StubProviderName,
} from './provider-stub-core.js';
import { openaiProvider } from './provider-stub-openai.js';
import { parseReply, type StubReply } from './provider-stub-reply.js';

export {
  countStubTokens,
  parseFault,
  planReply,
  splitStubChunks,
  STUB_IMAGE_TOKENS,
  stubReply,
  type Fault,
  type FaultKind,
  type RecordedRequest,
  type ReplyPlan,
  type StubProviderName,
} from './provider-stub-core.js';
export { parseReply, splitStubFragments, type StubReply } from './provider-stub-reply.js';
export { STUB_ANTHROPIC_MODELS } from './provider-stub-anthropic.js';
export { STUB_OPENAI_MODELS } from './provider-stub-openai.js';
export { STUB_EMBEDDING_DIMENSIONS, stubEmbedding } from './provider-stub-embeddings.js';

/** The request header that carries a fault as JSON; it wins over (and does not use up) `script`. */
export const STUB_FAULT_HEADER = 'x-stub-fault';

/**
 * The request header that carries a `StubReply` as JSON; it wins over (and does not use up)
 * `reply`. Header values are Latin-1: send other characters as `\uXXXX` escapes.
 */
export const STUB_REPLY_HEADER = 'x-stub-reply';

export interface ProviderStubOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** When set, requests with any other key get 401; otherwise any non-empty key is accepted. */
  apiKey?: string;
  /**
   * Answers OpenAI-format requests that carry no key at all, as Ollama, vLLM and LM Studio do
   * (a key that is sent is still checked against `apiKey`). Default false: no key is a 401.
   */
  keyless?: boolean;
}

export interface ProviderStub {
  /** For example `http://127.0.0.1:54321`. */
  readonly url: string;
  /** `${url}/v1`, the `baseURL` for the OpenAI SDK. */
  readonly openaiBaseURL: string;
  /** `url`, the `baseURL` for the Anthropic SDK (which appends `/v1/messages`). */
  readonly anthropicBaseURL: string;
  /** Every request received, in order of arrival (after its body was read). */
  readonly requests: RecordedRequest[];
  /** Queues faults for the next requests, one per request, in order. */
  script(...faults: Fault[]): void;
  /**
   * Queues the answers of the next requests, one per request, in order. A request takes the
   * next fault and the next reply independently (a request refused by a fault or a 400 still
   * uses its reply up); with none queued the answer is the deterministic `stubReply`.
   */
  reply(...replies: StubReply[]): void;
  /** From now on accepts only `key` (any non-empty key when undefined), as after a rotation. */
  setApiKey(key: string | undefined): void;
  /** Forgets the recorded requests, the queued faults and the queued replies. */
  reset(): void;
  /** Stops the server and drops every open connection, streaming or keep-alive. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

const providers: Record<StubProviderName, StubProvider> = {
  openai: openaiProvider,
  anthropic: anthropicProvider,
};

/** Endpoints name their format; `/v1/models` and unknown paths go by the Anthropic headers. */
function pickProvider(path: string, headers: IncomingMessage['headers']): StubProviderName {
  if (path === '/v1/chat/completions' || path === '/v1/embeddings') return 'openai';
  if (path === '/v1/messages' || path.startsWith('/v1/messages/')) return 'anthropic';
  return headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined
    ? 'anthropic'
    : 'openai';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    const buffer = part as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    parts.push(buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A JSON header parsed by `parse`; undefined when the request did not send it. */
function header<T>(
  req: IncomingMessage,
  name: string,
  parse: (value: unknown) => T | { error: string },
): T | { error: string } | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? parse(parseJson(value)) : undefined;
}

/** Starts a stub on `host:port` (default 127.0.0.1 and a free port). */
export async function startProviderStub(options: ProviderStubOptions = {}): Promise<ProviderStub> {
  const host = options.host ?? '127.0.0.1';
  let apiKey = options.apiKey;
  const requests: RecordedRequest[] = [];
  const queue: Fault[] = [];
  const replies: StubReply[] = [];
  const active = new Set<AbortController>();
  let counter = 0;
  let closing = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const controller = new AbortController();
    active.add(controller);
    let cutByStub = false;
    res.on('close', () => {
      active.delete(controller);
      controller.abort();
    });

    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch {
      res.destroy();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    const body = parseJson(rawBody);
    const providerName = pickProvider(path, req.headers);
    const provider = providers[providerName];
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      rawBody,
      provider: providerName,
      stream: isRecord(body) && body.stream === true,
      fault: undefined,
      reply: undefined,
      status: undefined,
      aborted: false,
      finished: false,
    };
    requests.push(record);
    res.on('finish', () => {
      record.finished = true;
    });
    res.on('close', () => {
      if (!res.writableEnded && !cutByStub && !closing) record.aborted = true;
    });
    if (controller.signal.aborted) {
      if (!closing) record.aborted = true;
      return;
    }

    counter += 1;
    const ex: StubExchange = {
      req,
      res,
      record,
      fault: undefined,
      reply: undefined,
      signal: controller.signal,
      apiKey,
      keyless: options.keyless ?? false,
      requestId: `stub${String(counter).padStart(6, '0')}`,
      cut() {
        cutByStub = true;
        res.destroy();
      },
    };

    // Both headers are checked before either queue is used, so a bad header uses up neither.
    const headerFault = header(req, STUB_FAULT_HEADER, parseFault);
    if (headerFault && 'error' in headerFault) {
      return provider.sendError(
        ex,
        400,
        `invalid ${STUB_FAULT_HEADER} header: ${headerFault.error}`,
      );
    }
    const headerReply = header(req, STUB_REPLY_HEADER, parseReply);
    if (headerReply && 'error' in headerReply) {
      return provider.sendError(
        ex,
        400,
        `invalid ${STUB_REPLY_HEADER} header: ${headerReply.error}`,
      );
    }
    ex.fault = headerFault ? headerFault.fault : queue.shift();
    ex.reply = headerReply ? headerReply.reply : replies.shift();
    record.fault = ex.fault;
    record.reply = ex.reply;
    const { fault } = ex;

    if (fault?.kind === 'latency') {
      await sleep(fault.ms, ex.signal);
      if (ex.signal.aborted) return;
    }
    if (fault?.kind === 'status') {
      const headers: Record<string, string> =
        fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) };
      return provider.sendError(ex, fault.status, fault.message, headers);
    }
    if (!record.stream && fault?.kind === 'cut') return ex.cut();
    if (!record.stream && fault?.kind === 'malformed') {
      record.status = 200;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{not json');
      return;
    }
    await provider.handle(ex);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `provider stub failed: ${String(error)}` } }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    url,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    requests,
    script(...faults) {
      queue.push(...faults);
    },
    reply(...answers) {
      replies.push(...answers);
    },
    setApiKey(key) {
      apiKey = key;
    },
    reset() {
      requests.length = 0;
      queue.length = 0;
      replies.length = 0;
    },
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing = true;
        for (const controller of active) controller.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
