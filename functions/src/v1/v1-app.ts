// The API for programs: OpenAI's `POST /v1/chat/completions`, `POST /v1/embeddings` and
// `GET /v1/models`, and Anthropic's `POST /v1/messages`, each answering in its own wire's shapes
// so the official SDKs work unchanged. Served under `/v1` (Hosting's rewrite) and at the
// function's root (its own URL) alike.
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Identified } from '../auth/authenticate.js';
import type { CallDeps } from '../call/pipeline.js';
import { GatewayError } from '../errors.js';
import { catalogFor } from '../gateway/catalog-cache.js';
import { describeCatalog } from '../gateway/describe-catalog.js';
import { exhaustedHeaders } from '../limits/refusal.js';
import { joinTrace } from '../telemetry/call-telemetry.js';
import { chatCompletions } from './chat-completions.js';
import { embeddings } from './embeddings.js';
import { countTokens, credentialOf, isMessagesPath, messages } from './messages.js';
import { bodyLimit, cors, securityHeaders } from './middleware.js';
import { sendAnthropicError } from './anthropic-response.js';
import { errorBody, errorFromGateway, modelList } from './openai-response.js';

export interface V1Deps extends CallDeps {
  /**
   * Verifies a Bearer credential (an API key or a client token) and leaves its revocation
   * check to the caller, who makes it beside the rate limiter's decision: one wait for Redis.
   */
  identify(bearer: string): Promise<Identified>;
  corsOrigins: readonly string[];
}

/** The Bearer credential's claims, and the revocation check still to make. */
async function identify(req: Request, deps: V1Deps): Promise<Identified> {
  const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
  if (!match) {
    throw new GatewayError(
      'unauthenticated',
      'Send an API key or client token as "Authorization: Bearer <key>".',
    );
  }
  return deps.identify(match[1]!);
}

export function createV1App(deps: V1Deps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Answers are never cached (Cache-Control: no-store), so hashing each body for an ETag and
  // checking freshness would be work for nothing.
  app.disable('etag');
  const router = express.Router();
  router.use(securityHeaders, cors(deps.corsOrigins));
  router.use(bodyLimit(deps.policy.maxBodyBytes));
  // Cloud Functions parses JSON bodies before the app sees them; elsewhere this does.
  router.use(express.json({ limit: deps.policy.maxBodyBytes }));
  // After the body is read: its stream's callbacks run outside the request's context.
  router.use((req, _res, next) => joinTrace(req.headers, next));

  /** The models and aliases the caller may use. */
  async function visibleModels(req: Request) {
    const { claims, checkRevocation } = await identify(req, deps);
    await checkRevocation();
    const catalog = await catalogFor(deps.entries);
    const { models, aliases } = describeCatalog(catalog, deps.entries, claims);
    return modelList(models, aliases);
  }

  router.get('/models', async (req, res) => {
    res.json(await visibleModels(req));
  });

  // A model id holds a slash (`openai/gpt-4o`), which the SDK sends as it is.
  router.get('/models/*id', async (req, res) => {
    const id = (req.params as { id: string[] }).id.join('/');
    const model = (await visibleModels(req)).data.find((m) => m.id === id);
    if (!model) throw new GatewayError('not-found', `model: "${id}" is not a model you may use`);
    res.json(model);
  });

  router.post('/chat/completions', async (req, res) => {
    await chatCompletions(req, res, await identify(req, deps), deps);
  });

  router.post('/embeddings', async (req, res) => {
    await embeddings(req, res, await identify(req, deps), deps);
  });

  // Anthropic's Messages API; its SDK sends the key as x-api-key.
  router.post('/messages', async (req, res) => {
    await messages(req, res, await deps.identify(credentialOf(req)), deps);
  });
  router.post('/messages/count_tokens', async (req, res) => {
    await countTokens(req, res, await deps.identify(credentialOf(req)), deps);
  });

  router.use((req) => {
    throw new GatewayError('not-found', `No route for ${req.method} ${req.path}.`);
  });

  app.use(['/v1', '/'], router);
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (isMessagesPath(req.path)) return sendAnthropicError(res, error);
    if (error instanceof GatewayError) {
      if (error.kind === 'resource-exhausted') res.set(exhaustedHeaders(error.details));
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
