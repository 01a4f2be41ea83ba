// Every route of the admin API, in one table: the app registers it, the OpenAPI document
// describes it and metrics label by it.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SecretStore } from '@colonycraft/secrets';
import type { KeyDeps } from '../domain/api-key-views.js';
import type { ProviderEndpoints } from '../domain/provider-key-check.js';
import type { UsageLedger } from '../data/usage-ledger.js';
import type { Route } from '../http/route.js';
import { buildOpenApi, type OpenApiDocument } from '../openapi/document.js';
import { apiKeyRoutes } from './api-keys.js';
import { auditRoutes } from './audit.js';
import { healthRoutes } from './health.js';
import { meRoutes } from './me.js';
import { operationsRoutes } from './operations.js';
import { providerRoutes } from './providers.js';
import { usageRoutes } from './usage.js';
import { userRoutes } from './users.js';

export interface TableDeps extends KeyDeps {
  usage: UsageLedger;
  registry: Registry;
  draining: () => boolean;
  /** Where provider keys live. */
  secrets: SecretStore;
  providerEndpoints: ProviderEndpoints;
  /** How long a provider key check may take. */
  providerCheckTimeoutMs: number;
  logger: Logger;
}

export function routeTable(deps: TableDeps): Route[] {
  const { pool, auth, usage } = deps;
  const routes: Route[] = [
    ...healthRoutes({ pool, draining: deps.draining }),
    ...meRoutes(),
    ...userRoutes({ pool, auth, denylist: deps.denylist, projection: deps.projection }),
    ...apiKeyRoutes(deps),
    ...usageRoutes({ pool, usage, auth }),
    ...auditRoutes(pool),
    ...providerRoutes({
      pool,
      secrets: deps.secrets,
      logger: deps.logger,
      endpoints: deps.providerEndpoints,
      timeoutMs: deps.providerCheckTimeoutMs,
    }),
  ];
  let document: OpenApiDocument | undefined;
  routes.push(
    ...operationsRoutes({
      registry: deps.registry,
      document: () => (document ??= buildOpenApi(routes)),
    }),
  );
  return routes;
}
