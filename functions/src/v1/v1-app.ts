// The OpenAI-compatible API for programs: `POST /v1/chat/completions` (streaming and not) and
// `GET /v1/models`, answering in OpenAI's shapes so the official SDKs work unchanged. Served
// under `/v1` (Hosting's rewrite) and at the function's root (its own URL) alike.
import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { LimitRefusal, type ClientTokenClaims } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import { catalogFor } from '../gateway/catalog-cache.js';
import { describeCatalog } from '../gateway/describe-catalog.js';
import type { Identified } from '../auth/authenticate.js';
import { admitCall, admitUnlessRevoked, estimateCall } from '../chat/call-limits.js';
import {
  allDone,
  identifyWith,
  prepareChat,
  streamAnswer,
  type ChatDeps,
  type OnRecording,
  type OnSpent,
} from '../chat/run-chat.js';
import { refusalHeaders } from '../limits/refusal.js';
import { parseCompletionRequest } from './openai-request.js';
import {
  chunk,
  completion,
  errorBody,
  errorFromGateway,
  modelList,
  usageChunk,
} from './openai-response.js';
import { SseWriter } from './sse-writer.js';

export interface V1Deps extends ChatDeps {
  corsOrigins: readonly string[];
}

function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
  next();
}

function cors(origins: readonly string[]) {
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
        res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type');
        res.setHeader('Access-Control-Max-Age', '600');
      }
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}

/** The Bearer credential's claims, and the revocation check still to make (`identifyWith`). */
async function identify(req: Request, deps: V1Deps): Promise<Identified> {
  const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
  if (!match) {
    throw new GatewayError(
      'unauthenticated',
      'Send an API key or client token as "Authorization: Bearer <key>".',
    );
  }
  return identifyWith(deps, match[1]!);
}

async function claimsOf(req: Request, deps: V1Deps): Promise<ClientTokenClaims> {
  const { claims, checkRevocation } = await identify(req, deps);
  await checkRevocation();
  return claims;
}

export function createV1App(deps: V1Deps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Answers are never cached (Cache-Control: no-store), so hashing each body for an ETag and
  // checking freshness would be work for nothing.
  app.disable('etag');
  const router = express.Router();
  router.use(securityHeaders, cors(deps.corsOrigins));
  // Cloud Functions parses JSON bodies before the app sees them; elsewhere this does.
  router.use(express.json({ limit: '10mb' }));

  router.get('/models', async (req, res) => {
    const claims = await claimsOf(req, deps);
    const { models, aliases } = describeCatalog(
      await catalogFor(deps.entries),
      deps.entries,
      claims,
    );
    res.json(modelList(models, aliases));
  });

  router.post('/chat/completions', async (req, res) => {
    const started = (deps.now ?? Date.now)();
    const { claims, checkRevocation } = await identify(req, deps);
    // Asked first: the denylist's answer travels while the request is parsed and estimated.
    const revocation = checkRevocation();
    revocation.catch(() => {}); // it is awaited below, once the limiter has been asked too
    // Parsed once: its error, if any, is thrown once the limiter has taken the call, so that
    // malformed requests count too.
    let parsed: ReturnType<typeof parseCompletionRequest> | undefined;
    let invalid: unknown;
    try {
      parsed = parseCompletionRequest(req.body);
    } catch (error) {
      invalid = error;
    }
    const estimate = await estimateCall(
      parsed?.request,
      deps.entries,
      deps.policy.defaultMaxTokens,
    );
    const call = await admitUnlessRevoked(
      revocation,
      admitCall(deps.limiter?.(), claims, estimate),
    );
    res.set(call.headers);
    let spent: Parameters<OnSpent>[0] | undefined;
    const recordings: Promise<void>[] = [];
    const answerDeps = {
      ...deps,
      onSpent: ((s) => (spent = s)) satisfies OnSpent,
      onRecording: ((r) => void recordings.push(r)) satisfies OnRecording,
    };
    // Before its last byte, an answer waits for its usage write and the limiter's settlement,
    // made side by side: both must be done before the response ends (see OnRecording). A
    // failure among them is thrown once the answer has gone, never instead of it.
    let settling: Promise<unknown> | undefined;
    const settled = () =>
      (settling ??= allDone([...recordings, call.settle(spent)]).then(
        () => undefined,
        (error: unknown) => error ?? new Error('settling the call failed'),
      ));
    try {
      if (!parsed) throw invalid;
      await complete(req, res, claims, parsed, answerDeps, started, settled);
    } finally {
      await settled();
    }
    const failure = await settled();
    if (failure) throw failure;
  });

  async function complete(
    req: Request,
    res: Response,
    claims: ClientTokenClaims,
    { completion: asked, request }: ReturnType<typeof parseCompletionRequest>,
    deps: V1Deps & { onSpent: OnSpent; onRecording: OnRecording },
    started: number,
    settled: () => Promise<unknown>,
  ): Promise<void> {
    const prepared = await prepareChat(request, claims, deps);
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(started / 1000);
    const aborted = new AbortController();
    // Only a client that leaves before the answer has ended aborts the call.
    res.on('close', () => {
      if (!res.writableFinished) aborted.abort();
    });

    if (!asked.stream) {
      const result = await streamAnswer(
        prepared,
        { sendChunk: async () => true, signal: aborted.signal },
        deps,
        started,
      );
      await settled();
      res.json(
        completion(id, created, result.model, result.text, result.finishReason, result.usage),
      );
      return;
    }

    const sse = new SseWriter(res);
    try {
      const result = await streamAnswer(
        prepared,
        {
          signal: aborted.signal,
          sendChunk: async (event, model) => {
            // The role chunk opens the stream, in one write with the first event's chunk.
            const chunks = sse.started
              ? []
              : [chunk(id, created, model, { role: 'assistant', content: '' })];
            if (event.type === 'text-delta')
              chunks.push(chunk(id, created, model, { content: event.text }));
            if (event.type === 'finish' && event.reason !== 'cancelled')
              chunks.push(chunk(id, created, model, {}, event.reason));
            if (chunks.length > 0) await sse.send(...chunks);
            // The answer is all there: it must not wait for the work that ends the call.
            if (event.type === 'finish') sse.flush();
          },
        },
        deps,
        started,
      );
      // The answer is complete once the client has [DONE]: not before its usage is recorded.
      await settled();
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
      await settled();
      await sse.fail(body);
    }
  }

  router.use((req) => {
    throw new GatewayError('not-found', `No route for ${req.method} ${req.path}.`);
  });

  app.use(['/v1', '/'], router);
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error instanceof GatewayError) {
      const refusal = LimitRefusal.safeParse(error.details);
      if (error.kind === 'resource-exhausted' && refusal.success)
        res.set(refusalHeaders(refusal.data));
      const { status, body } = errorFromGateway(error);
      res.status(status).json(body);
      return;
    }
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const { body } = errorBody('invalid-argument', `body: ${(error as Error).message}`);
      res.status(status).json(body);
      return;
    }
    console.error('v1: unexpected error', error);
    const { body } = errorBody('internal', 'Something went wrong on our side.');
    res.status(500).json(body);
  });
  return app;
}
