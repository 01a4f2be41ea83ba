// A route as data: method, path, who may call it, the zod schemas of what it takes and answers,
// and a thin handler. `registerRoutes` turns the table into Express routes, the OpenAPI document
// is generated from the same table, and metrics label requests by its path patterns, so the
// three cannot drift apart.
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { Role } from '@colonycraft/protocol';
import type { ApiErrorCode } from '../errors.js';

/**
 * - `public`: anyone (probes, the API's description).
 * - `metrics`: anyone while METRICS_TOKEN is unset, else only with that token as Bearer.
 * - `signed-in`: a valid Firebase ID token, any role.
 * - a list of roles: a valid ID token of a user holding one of them.
 */
export type Access = 'public' | 'metrics' | 'signed-in' | readonly [Role, ...Role[]];

export type Method = 'get' | 'post' | 'put' | 'delete';

/** A JSON answer described by a schema, or another media type the handler writes itself. */
export type SuccessResponse =
  | { status: 200 | 201; schema: z.ZodType; description: string }
  | { status: 200; contentType: string; description: string };

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
}

export interface RouteSpec<P, Q, B> {
  /** The OpenAPI operationId. */
  id: string;
  method: Method;
  /** Express syntax (`/api-keys/:id`); also the `route` label of the HTTP metrics. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  response: SuccessResponse;
  /** Errors the use case may answer with, beyond those the access and inputs imply. */
  errors?: readonly ApiErrorCode[];
  /** Runs after the access check, before the handler (e.g. a route's own CSP). */
  before?: readonly RequestHandler[];
  /**
   * Gets the parsed inputs and returns the JSON body, which is sent with the declared status;
   * a handler that answers by itself (another media type, an error without a log line) writes
   * `res` and returns nothing.
   */
  handle(input: RouteInput<P, Q, B>, req: Request, res: Response): unknown;
}

/** A route of the table, its input types erased. */
export type Route = Omit<RouteSpec<unknown, unknown, unknown>, 'params' | 'query' | 'body'> & {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  handle(
    input: { params: unknown; query: unknown; body: unknown },
    req: Request,
    res: Response,
  ): unknown;
};

export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): Route {
  return spec as unknown as Route;
}
