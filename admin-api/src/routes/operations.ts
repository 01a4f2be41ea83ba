// For operators: `GET /metrics` (Prometheus), `GET /openapi.json` (this API, described from the
// route table) and `GET /docs` (a page to read and try it).
import type { Registry } from 'prom-client';
import { DOCS_HTML, docsCsp } from '../openapi/docs-page.js';
import type { OpenApiDocument } from '../openapi/document.js';
import { defineRoute, type Route } from '../http/route.js';

export interface OperationsDeps {
  registry: Registry;
  /** The document of the whole table, this route included; built on first use. */
  document: () => OpenApiDocument;
}

export function operationsRoutes({ registry, document }: OperationsDeps): Route[] {
  return [
    defineRoute({
      id: 'getMetrics',
      method: 'get',
      path: '/metrics',
      tag: 'operations',
      summary: 'Prometheus metrics: process defaults, HTTP requests by method, route and status.',
      access: 'metrics',
      response: {
        status: 200,
        contentType: 'text/plain; version=0.0.4',
        description: 'The exposition text.',
      },
      handle: async (_input, _req, res) => {
        res.type(registry.contentType).send(await registry.metrics());
      },
    }),
    defineRoute({
      id: 'getOpenApi',
      method: 'get',
      path: '/openapi.json',
      tag: 'operations',
      summary: 'This description, OpenAPI 3.1.',
      access: 'public',
      response: { status: 200, contentType: 'application/json', description: 'The document.' },
      handle: (_input, _req, res) => {
        res.json(document());
      },
    }),
    defineRoute({
      id: 'getDocs',
      method: 'get',
      path: '/docs',
      tag: 'operations',
      summary: 'A page listing every operation, with forms to try them.',
      access: 'public',
      before: [docsCsp],
      response: { status: 200, contentType: 'text/html', description: 'The page.' },
      handle: (_input, _req, res) => {
        res.type('html').send(DOCS_HTML);
      },
    }),
  ];
}
