// One way to write a callable, as the admin API's route table writes a route: who may call, the
// input's schema and the handler. The caller is checked before the input is parsed, so a caller
// without a credential learns nothing else; every error leaves through `toHttpsError`.
import {
  onCall,
  type CallableFunction,
  type CallableOptions,
  type CallableRequest,
  type CallableResponse,
} from 'firebase-functions/v2/https';
import type { z } from 'zod';
import { describeIssues, type ClientTokenClaims } from '@colonycraft/protocol';
import {
  authenticateClientToken,
  identifyClientToken,
  type Identified,
} from '../auth/authenticate.js';
import { requireConversationAccess } from '../auth/conversation-access.js';
import { GatewayError, toHttpsError } from '../errors.js';

/** Who is calling, from the request; throws `unauthenticated` or `permission-denied`. */
export type Caller<C> = (request: CallableRequest<unknown>) => Promise<C>;

type AuthData = NonNullable<CallableRequest<unknown>['auth']>;

/** A user signed in with Firebase Auth (the ID token the client SDK sends). */
export const signedInUser: Caller<AuthData> = async (request) => {
  if (!request.auth) throw new GatewayError('unauthenticated', 'Sign in first.');
  return request.auth;
};

/** The client token in the data (the client SDK offers no header of ours). */
function clientTokenOf(data: unknown): string {
  const token =
    typeof data === 'object' && data !== null && 'clientToken' in data
      ? data.clientToken
      : undefined;
  if (typeof token !== 'string' || token.length === 0) {
    throw new GatewayError('unauthenticated', 'clientToken: a client token is required.');
  }
  return token;
}

/**
 * Anyone, signed in or not: for what a link alone grants (a shared conversation), where the
 * input is the whole credential. Whoever signed in is not looked at.
 */
export const anyone: Caller<undefined> = () => Promise.resolve(undefined);

/** A client token's holder whose revocation the handler checks itself, beside other work. */
export const clientTokenHolder: Caller<Identified> = (request) =>
  identifyClientToken(clientTokenOf(request.data));

/** A client token's holder, revocation checked. */
export const member: Caller<ClientTokenClaims> = (request) =>
  authenticateClientToken(clientTokenOf(request.data));

/**
 * A member whose token may read the conversations it names: a person's own sign-in, or an API
 * key's token whose key has the `conversations` scope (or `conversations:write`).
 */
export const conversationReader: Caller<ClientTokenClaims> = async (request) => {
  const claims = await member(request);
  requireConversationAccess(claims, 'read');
  return claims;
};

/** The same for changing them (rename, delete): an API key needs `conversations:write`. */
export const conversationWriter: Caller<ClientTokenClaims> = async (request) => {
  const claims = await member(request);
  requireConversationAccess(claims, 'write');
  return claims;
};

export const admin: Caller<ClientTokenClaims> = async (request) => {
  const claims = await member(request);
  if (claims.role !== 'admin')
    throw new GatewayError('permission-denied', 'Only an admin may call this.');
  return claims;
};

export interface CallableSpec<S extends z.ZodType, C, R, Chunk> {
  options?: CallableOptions;
  caller: Caller<C>;
  input: S;
  handle(
    input: z.infer<S>,
    context: { caller: C; response: CallableResponse<Chunk> | undefined },
  ): Promise<R>;
}

export function parseInput<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new GatewayError('invalid-argument', describeIssues(parsed.error));
  return parsed.data;
}

export function defineCallable<S extends z.ZodType, C, R, Chunk = unknown>(
  spec: CallableSpec<S, C, R, Chunk>,
): CallableFunction<unknown, Promise<R>, Chunk> {
  return onCall<unknown, Promise<R>, Chunk>(spec.options ?? {}, async (request, response) => {
    try {
      const caller = await spec.caller(request);
      return await spec.handle(parseInput(spec.input, request.data), { caller, response });
    } catch (error) {
      throw toHttpsError(error);
    }
  });
}
