// Builds the Express app from its parts; no I/O happens here, so tests can hand in their own
// pool and Auth.
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Auth } from 'firebase-admin/auth';
import type pg from 'pg';
import type { SecretStore } from '@colonycraft/secrets';
import type { Config } from './config.js';
import type { KeyProjection } from './data/key-projection.js';
import { noDenylist, type TokenDenylist } from './data/token-denylist.js';
import type { UsageLedger } from './data/usage-ledger.js';
import { KEY_CHECK_TIMEOUT_MS } from './domain/provider-key-check.js';
import { ApiError } from './errors.js';
import { authenticate } from './http/authenticate.js';
import { cors } from './http/cors.js';
import { errorHandler } from './http/error-response.js';
import { createMetrics, metricsGuard } from './http/metrics.js';
import { registerRoutes } from './http/register-routes.js';
import type { Route } from './http/route.js';
import { traceRequests } from './http/tracing.js';
import { routeTable } from './routes/table.js';

export interface AppDeps {
  config: Config;
  pool: pg.Pool;
  auth: Auth;
  projection: KeyProjection;
  /** Ends a disabled user's client tokens; `noDenylist` where there is no Redis. */
  denylist?: TokenDenylist;
  usage: UsageLedger;
  logger: Logger;
  /** True once the server is shutting down: `/readyz` then answers 503. */
  draining?: () => boolean;
  /** Where provider keys live (Google Secret Manager, or the sealed local file). */
  secrets: SecretStore;
  /** How long `POST /providers/:id/test` waits for the provider; 10 s unless a test says less. */
  providerCheckTimeoutMs?: number;
}

export interface App {
  app: Express;
  /** The table the app was built from: what it registered and what /openapi.json describes. */
  routes: readonly Route[];
}

export function createApp(deps: AppDeps): App {
  const { config, pool, auth, logger } = deps;
  const metrics = createMetrics();
  const app = express();
  app.disable('x-powered-by');
  // A hop count, never `true`: trusting every entry would make the caller's own left-most
  // X-Forwarded-For entry the `ip` in audit entries.
  app.set('trust proxy', config.trustProxyHops);
  app.use(traceRequests);
  app.use(metrics.observe);
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id =
          typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: {
        ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics',
      },
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      frameguard: { action: 'deny' },
    }),
  );
  app.use(cors(config.corsOrigins));
  app.use(express.json({ limit: config.bodyLimit }));

  const routes = routeTable({
    pool,
    auth,
    projection: deps.projection,
    denylist: deps.denylist ?? noDenylist,
    usage: deps.usage,
    registry: metrics.registry,
    draining: deps.draining ?? (() => false),
    secrets: deps.secrets,
    providerEndpoints: {
      baseUrls: config.providerBaseUrls,
      compatiblePreset: config.compatiblePreset,
    },
    providerCheckTimeoutMs: deps.providerCheckTimeoutMs ?? KEY_CHECK_TIMEOUT_MS,
    logger,
  });
  registerRoutes(app, routes, {
    authenticate: authenticate(auth, pool),
    metrics: metricsGuard(config.metricsToken),
  });
  app.use((req) => {
    throw new ApiError('not_found', `No route for ${req.method} ${req.path}.`);
  });
  app.use(errorHandler(logger));
  return { app, routes };
}
