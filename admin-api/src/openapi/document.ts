// The OpenAPI 3.1 document, generated from the route table and its zod schemas with
// `z.toJSONSchema`, so it describes exactly what the server registers and parses. Answers are
// named components (a protocol schema keeps its export name, so `UserSummary` in the document is
// `UserSummary` in protocol/src/admin.ts); inputs are inlined in their input form (what a caller
// sends, before defaults and coercion); query and path schemas become one parameter per field.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import * as protocol from '@colonycraft/protocol';
import type { ApiErrorCode } from '../errors.js';
import { STATUS } from '../http/error-response.js';
import type { Route } from '../http/route.js';

type Json = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const TAGS = [
  { name: 'users', description: 'Users, roles and rate-limit tiers.' },
  { name: 'api-keys', description: 'API keys for programs calling the gateway.' },
  { name: 'usage', description: 'Usage per day and model.' },
  { name: 'audit', description: 'The hash-chained audit log.' },
  {
    name: 'providers',
    description: "The LLM providers' keys, kept in the secret store: set, rotate, check.",
  },
  { name: 'probes', description: 'Liveness and readiness.' },
  { name: 'operations', description: 'Metrics and this description.' },
];

const ERROR_SCHEMA = 'AdminError';
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** `/api-keys/:id` → `/api-keys/{id}` */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function withoutMeta(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

const inputSchema = (schema: z.ZodType): Json =>
  withoutMeta(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json);

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const json = inputSchema(schema) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

function errorCodes(route: Route): ApiErrorCode[] {
  const codes = new Set<ApiErrorCode>(route.errors ?? []);
  if (route.params || route.query || route.body) codes.add('invalid_request');
  if (route.body) codes.add('too_large');
  if (route.access !== 'public') codes.add('unauthenticated');
  if (Array.isArray(route.access)) codes.add('forbidden');
  return [...codes];
}

function accessText(route: Route): string {
  const { access } = route;
  if (access === 'public') return 'Anyone.';
  if (access === 'metrics')
    return 'Anyone while METRICS_TOKEN is unset; else Bearer METRICS_TOKEN.';
  if (access === 'signed-in') return 'Any signed-in user.';
  return `Roles: ${access.join(', ')}.`;
}

function security(route: Route): Json[] {
  if (route.access === 'public') return [];
  if (route.access === 'metrics') return [{ metricsToken: [] }, {}];
  return [{ firebaseIdToken: [] }];
}

/** Names every zod schema the protocol exports, and the table's unnamed answers after routes. */
function responseRegistry(routes: readonly Route[]) {
  const registry = z.registry<{ id: string }>();
  const names = new Map<z.ZodType, string>();
  for (const [name, value] of Object.entries(protocol)) {
    if (value instanceof z.ZodType && !names.has(value)) {
      names.set(value, name);
      registry.add(value, { id: name });
    }
  }
  for (const route of routes) {
    if ('schema' in route.response && !names.has(route.response.schema)) {
      const name = `${route.id[0]!.toUpperCase()}${route.id.slice(1)}Response`;
      names.set(route.response.schema, name);
      registry.add(route.response.schema, { id: name });
    }
  }
  return { registry, names };
}

/** Keeps only the components the operations reach, directly or through other components. */
function reachable(all: Record<string, Json>, roots: unknown): Record<string, Json> {
  const kept: Record<string, Json> = {};
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const name =
        key === '$ref' && typeof value === 'string'
          ? /^#\/components\/schemas\/(.+)$/.exec(value)?.[1]
          : undefined;
      if (name !== undefined && !(name in kept) && all[name]) {
        kept[name] = all[name];
        visit(all[name]);
      } else visit(value);
    }
  };
  visit(roots);
  return Object.fromEntries(Object.entries(kept).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function buildOpenApi(routes: readonly Route[]): OpenApiDocument {
  const { registry, names } = responseRegistry(routes);
  const generated = z.toJSONSchema(registry, {
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas as Record<string, Json>;
  const all = Object.fromEntries(
    Object.entries(generated).map(([name, schema]) => [name, withoutMeta(schema)]),
  );

  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const { response } = route;
    const success =
      'schema' in response
        ? { 'application/json': { schema: ref(names.get(response.schema)!) } }
        : {
            [response.contentType]: {
              schema: { type: response.contentType.includes('json') ? 'object' : 'string' },
            },
          };
    const responses: Record<string, Json> = {
      [response.status]: { description: response.description, content: success },
    };
    for (const code of [...errorCodes(route), 'internal' as const]) {
      responses[code === 'internal' ? 500 : STATUS[code]] = {
        description: `\`${code}\``,
        content: { 'application/json': { schema: ref(ERROR_SCHEMA) } },
      };
    }
    const path = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: route.id,
      tags: [route.tag],
      summary: route.summary,
      description: [accessText(route), route.description].filter(Boolean).join('\n\n'),
      security: security(route),
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: inputSchema(route.body) } },
            },
          }
        : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'ColonyCraft admin API',
      version: VERSION,
      description:
        'Roles, tiers, API keys, usage, the audit log and provider keys. Send a Firebase ID token as ' +
        '`Authorization: Bearer <token>`. Every error is `AdminError`.',
    },
    tags: TAGS,
    paths,
    components: {
      schemas: reachable(all, paths),
      securitySchemes: {
        firebaseIdToken: { type: 'http', scheme: 'bearer', bearerFormat: 'Firebase ID token' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN' },
      },
    },
  };
}
