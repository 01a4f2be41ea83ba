// The operator routes without services: the OpenAPI document against what Express really
// registered, the /docs page against its CSP, /metrics without METRICS_TOKEN. The app is built
// with a pool that never connects: nothing here reaches a database.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Auth } from 'firebase-admin/auth';
import { createLocalSecretStore } from '@colonycraft/secrets';
import { createApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import { createPool } from '../data/db.js';
import type { KeyProjection } from '../data/key-projection.js';
import type { UsageLedger } from '../data/usage-ledger.js';
import { createLogger } from '../logger.js';
import { openApiPath, type OpenApiDocument } from '../openapi/document.js';

let built: App;
let server: Server;
let url: string;
let doc: OpenApiDocument;
const pool = createPool('postgres://127.0.0.1:1/never', 1);

beforeAll(async () => {
  built = createApp({
    config: loadConfig({ DATABASE_URL: 'postgres://127.0.0.1:1/never' }),
    pool,
    // Never called: no request here gets past authentication.
    auth: {} as Auth,
    projection: {} as KeyProjection,
    usage: {} as UsageLedger,
    logger: createLogger('silent'),
    // Read-only and empty: nothing here gets past authentication either.
    secrets: createLocalSecretStore({}),
  });
  server = createServer(built.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  doc = (await (await fetch(`${url}/openapi.json`)).json()) as OpenApiDocument;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await pool.end();
});

/** `GET /api-keys/{id}` for every route Express holds, read from its router, not the table. */
function registeredRoutes(): string[] {
  return built.app.router.stack.flatMap((layer) =>
    layer.route
      ? [...new Set(layer.route.stack.map((l) => l.method))].map(
          (method) => `${method.toUpperCase()} ${openApiPath(layer.route!.path)}`,
        )
      : [],
  );
}

function documentedRoutes(): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe('GET /openapi.json', () => {
  it('when the app is built, then every route Express registered is documented, and nothing else', () => {
    const registered = registeredRoutes();
    expect(registered.length).toBe(built.routes.length);
    expect(registered).toContain('PUT /users/{uid}/tier');
    expect(registered).toContain('GET /usage');
    expect(registered).toEqual(
      expect.arrayContaining([
        'GET /providers',
        'PUT /providers/{id}/key',
        'POST /providers/{id}/test',
      ]),
    );
    expect(documentedRoutes().sort()).toEqual([...registered].sort());
  });

  it('when an operation has a path parameter, then it is declared, required, with its schema', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(ops)) {
        const declared = (op.parameters as { name: string; in: string; required: boolean }[])
          .filter((p) => p.in === 'path')
          .map((p) => (expect(p.required).toBe(true), p.name));
        expect(declared).toEqual(inPath);
      }
    }
    const getKey = doc.paths['/api-keys/{id}']!.get as { parameters: unknown[] };
    expect(getKey.parameters).toEqual([
      expect.objectContaining({
        name: 'id',
        in: 'path',
        schema: expect.objectContaining({ format: 'uuid' }),
      }),
    ]);
  });

  it('when a schema is referenced, then the component exists; protocol schemas keep their names', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(10);
    for (const [, name] of refs) expect(doc.components.schemas).toHaveProperty(name!);
    expect(doc.components.schemas.UserSummary).toMatchObject({
      required: expect.arrayContaining(['uid', 'role', 'tier', 'assignedTier']),
    });
    expect(JSON.stringify(doc.components.schemas)).not.toContain('"$schema"');
  });

  it('when a route takes input, then its body and query are described in the form a caller sends', () => {
    const setTier = doc.paths['/users/{uid}/tier']!.put as {
      requestBody: { content: Record<string, { schema: unknown }> };
      responses: Record<string, unknown>;
    };
    expect(setTier.requestBody.content['application/json']!.schema).toMatchObject({
      type: 'object',
      required: ['tier'],
      additionalProperties: false,
    });
    expect(Object.keys(setTier.responses).sort()).toEqual(
      ['200', '400', '401', '403', '404', '413', '500', '503'].sort(),
    );
    const me = doc.paths['/me']!.get as { responses: Record<string, unknown> };
    expect(me.responses).not.toHaveProperty('413');
    const usage = doc.paths['/usage']!.get as { parameters: { name: string; schema: unknown }[] };
    expect(usage.parameters.map((p) => p.name)).toEqual([
      'from',
      'to',
      'uid',
      'includeKeys',
      'all',
    ]);
    expect(usage.parameters.find((p) => p.name === 'includeKeys')!.schema).toEqual({
      type: 'string',
      enum: ['true', 'false'],
      default: 'false',
    });
  });

  it('when a route is public or metrics, then its security says so; the others need an ID token', () => {
    expect(doc.paths['/healthz']!.get!.security).toEqual([]);
    expect(doc.paths['/metrics']!.get!.security).toEqual([{ metricsToken: [] }, {}]);
    expect(doc.paths['/audit']!.get!.security).toEqual([{ firebaseIdToken: [] }]);
  });
});

describe('GET /docs', () => {
  it('when the page is served, then its CSP allows exactly its inline script and style, and fetches to itself', async () => {
    const res = await fetch(`${url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy')!;
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*)<\/style>/.exec(html)![1]!;
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'none'");
    // Nothing from elsewhere: no URL in the page but its own document.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(script).toContain("fetch('openapi.json')");
  });

  it("when any other route answers, then the service-wide CSP applies, without the page's allowances", async () => {
    const csp = (await fetch(`${url}/healthz`)).headers.get('content-security-policy');
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('sha256-');
    expect(csp).not.toContain('connect-src');
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  it('when no token is configured (a local stack), then anyone may scrape', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(
      /^http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+$/m,
    );
  });
});
