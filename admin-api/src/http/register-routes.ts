// Puts the route table onto the Express app. Each route gets, in order: its label for the
// metrics, its access check (authentication, then the role guard, which refuses before any input
// is looked at), its own middleware, then parsing of params, query and body with the declared
// schemas (400 naming each field) and the handler.
import type { Express, RequestHandler } from 'express';
import { requireRole } from './require-role.js';
import type { Route } from './route.js';
import { parse } from './validate.js';

declare module 'express-serve-static-core' {
  interface Locals {
    /** The matched route's path pattern, for metrics: never the raw path with its ids. */
    route?: string;
  }
}

export interface Guards {
  authenticate: RequestHandler;
  metrics: RequestHandler;
}

function accessCheck(route: Route, guards: Guards): RequestHandler[] {
  const { access } = route;
  if (access === 'public') return [];
  if (access === 'metrics') return [guards.metrics];
  if (access === 'signed-in') return [guards.authenticate];
  return [guards.authenticate, requireRole(...access)];
}

export function registerRoutes(app: Express, routes: readonly Route[], guards: Guards): void {
  for (const route of routes) {
    const label: RequestHandler = (_req, res, next) => {
      res.locals.route = route.path;
      next();
    };
    const handler: RequestHandler = async (req, res) => {
      const input = {
        params: route.params ? parse(route.params, req.params, 'params') : undefined,
        query: route.query ? parse(route.query, req.query, 'query') : undefined,
        body: route.body ? parse(route.body, req.body, 'body') : undefined,
      };
      const result = await route.handle(input, req, res);
      if (result !== undefined) res.status(route.response.status).json(result);
    };
    app[route.method](
      route.path,
      label,
      ...accessCheck(route, guards),
      ...(route.before ?? []),
      handler,
    );
  }
}
