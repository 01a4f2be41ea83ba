// The OpenAI-compatible API for programs: `POST /v1/chat/completions` (streaming and not) and
// `GET /v1/models`, answering in OpenAI's shapes so the official SDKs work unchanged. Served
// under `/v1` (Hosting's rewrite) and at the function's root (its own URL) alike.
import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { LimitRefusal, type ClientTokenClaims } from '@colonycraft/protocol';
import { GatewayError } from '../errors.js';
import { catalogFor } from '../gateway/catalog-cache.js';
import { describeCatalog } from '../gateway/describe-catalog.js';
import { admitCall, estimateCall } from '../chat/call-limits.js';
import { prepareChat, streamAnswer, type ChatDeps, type OnSpent } from '../chat/run-chat.js';
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
  /** Turns the Bearer credential into the caller's claims, or throws `unauthenticated`. */
  authenticate(bearer: string): Promise<ClientTokenClaims>;
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

async function claimsOf(req: Request, deps: V1Deps): Promise<ClientTokenClaims> {
  const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
  if (!match) {
    throw new GatewayError(
      'unauthenticated',
      'Send an API key or client token as "Authorization: Bearer <key>".',
    );
  }
  return deps.authenticate(match[1]!);
}

export function createV1App(deps: V1Deps): Express {
  const app = express();
  app.disable('x-powered-by');
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
    const claims = await claimsOf(req, deps);
    // Taken from the limiter before validation, so malformed requests count too.
    const guess = (() => {
      try {
        return parseCompletionRequest(req.body).request;
      } catch {
        return undefined;
      }
    })();
    const call = await admitCall(deps.limiter?.(), claims, await estimateCall(guess, deps.entries));
    res.set(call.headers);
    let spent: Parameters<OnSpent>[0] | undefined;
    const answerDeps = { ...deps, onSpent: ((s) => (spent = s)) satisfies OnSpent };
    try {
      await complete(req, res, claims, answerDeps, started);
    } finally {
      await call.settle(spent);
    }
  });

  async function complete(
    req: Request,
    res: Response,
    claims: ClientTokenClaims,
    deps: V1Deps & { onSpent: OnSpent },
    started: number,
  ): Promise<void> {
    const { completion: asked, request } = parseCompletionRequest(req.body);
    const prepared = await prepareChat(request, claims, deps);
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(started / 1000);
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());

    if (!asked.stream) {
      const result = await streamAnswer(
        prepared,
        { sendChunk: async () => true, signal: aborted.signal },
        deps,
        started,
      );
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
            if (!sse.started)
              await sse.send(chunk(id, created, model, { role: 'assistant', content: '' }));
            if (event.type === 'text-delta')
              await sse.send(chunk(id, created, model, { content: event.text }));
            if (event.type === 'finish' && event.reason !== 'cancelled') {
              await sse.send(chunk(id, created, model, {}, event.reason));
            }
          },
        },
        deps,
        started,
      );
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
