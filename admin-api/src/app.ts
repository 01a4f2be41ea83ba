// Builds the Express app from its parts; no I/O happens here, so tests can hand in their own
// pool and Auth.
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Auth } from 'firebase-admin/auth';
import type pg from 'pg';
import type { Config } from './config.js';
import type { KeyProjection } from './data/key-projection.js';
import { authenticate } from './http/authenticate.js';
import { cors } from './http/cors.js';
import { ApiError, errorHandler } from './http/errors.js';
import { healthRoutes } from './routes/health.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { meRoutes } from './routes/me.js';
import { userRoutes } from './routes/users.js';

export interface AppDeps {
  config: Config;
  pool: pg.Pool;
  auth: Auth;
  projection: KeyProjection;
  logger: Logger;
}

export function createApp({ config, pool, auth, projection, logger }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
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
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
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

  app.use(healthRoutes(pool));
  app.use(authenticate(auth, pool));
  app.use(meRoutes());
  app.use(userRoutes({ pool, auth }));
  app.use(apiKeyRoutes({ pool, auth, projection }));
  app.use(auditRoutes(pool));
  app.use((req) => {
    throw new ApiError('not_found', `No route for ${req.method} ${req.path}.`);
  });
  app.use(errorHandler(logger));
  return app;
}
