// A small typed client for the admin API (admin-api/README.md): every call carries the signed-in
// user's Firebase ID token as Bearer, every answer is validated with the protocol's schemas, and
// every error body (`{error:{code,message,requestId}}`) becomes an `AdminApiError`. A call
// refused as unauthenticated is retried once with a freshly minted ID token.
import {
  AdminError,
  ApiKeyPage,
  ApiKeySummary,
  AuditPage,
  AuditVerification,
  CreatedApiKey,
  Me,
  ProviderKeyList,
  ProviderKeyRotation,
  ProviderKeyTestResult,
  UsageReport,
  UserList,
  UserSummary,
  describeIssues,
  type CreateApiKeyRequest,
  type ProviderId,
  type RateTier,
  type Role,
  type SetProviderKeyRequest,
} from '@colonycraft/protocol';
import type { z } from 'zod';
import { toUserError, type UserError } from './errors.ts';

/** The admin API's error codes, plus the client's own for what never reached a valid answer. */
export type AdminApiErrorCode = AdminError['error']['code'] | 'network' | 'unexpected';

export class AdminApiError extends Error {
  constructor(
    readonly code: AdminApiErrorCode,
    message: string,
    /** The HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

/** Returns the caller's ID token; `refresh` asks for a new one rather than the cached one. */
export type IdTokenSource = (refresh: boolean) => Promise<string>;

export interface AdminApiOptions {
  baseUrl: string;
  idToken: IdTokenSource;
  fetchFn?: typeof fetch;
}

export type QueryValue = string | number | boolean | null | undefined;

/** `?a=1&b=x` from the defined, non-empty values; '' when there are none. */
export function buildQuery(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The typed error for a failed answer: the body's own when it has the AdminError shape. */
export function errorFromResponse(status: number, body: unknown): AdminApiError {
  const parsed = AdminError.safeParse(body);
  if (parsed.success) {
    const { code, message, requestId } = parsed.data.error;
    return new AdminApiError(code, message, status, requestId);
  }
  return new AdminApiError('unexpected', `The admin API answered ${status}.`, status);
}

const SUMMARIES: Record<AdminApiErrorCode, string> = {
  invalid_request: 'The request was rejected. Change it and try again.',
  too_large: 'That is more than the admin service takes at once. Shorten it and try again.',
  unauthenticated: 'Your session has expired. Sign out and sign in again.',
  forbidden: 'Your role does not allow that.',
  not_found: 'That no longer exists. Reload the list.',
  conflict: 'That change conflicts with the current state.',
  unavailable: 'The admin service could not complete that; nothing changed. Try again.',
  internal: 'Something went wrong on our side. Try again later.',
  network: 'Could not reach the admin service. Check your connection and try again.',
  unexpected: 'The admin service answered unexpectedly. Try again later.',
};

/** What the error notice shows: a summary, the server's words, the request id to quote. */
export function describeAdminError(error: unknown): UserError {
  if (!(error instanceof AdminApiError)) {
    return toUserError('Something went wrong. Try again.', String(error));
  }
  const detail = error.requestId ? `${error.message} (request ${error.requestId})` : error.message;
  return toUserError(SUMMARIES[error.code], detail, error.code);
}

export function createAdminApi({ baseUrl, idToken, fetchFn = fetch }: AdminApiOptions) {
  const base = baseUrl.replace(/\/+$/, '');

  async function send(method: string, path: string, body: unknown, token: string) {
    try {
      return await fetchFn(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new AdminApiError('network', error instanceof Error ? error.message : 'failed', 0);
    }
  }

  async function call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.infer<S>> {
    let response = await send(method, path, body, await idToken(false));
    if (response.status === 401) response = await send(method, path, body, await idToken(true));
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      json = undefined;
    }
    if (!response.ok) throw errorFromResponse(response.status, json);
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new AdminApiError(
        'unexpected',
        `${method} ${path.split('?')[0]}: ${describeIssues(parsed.error)}`,
        response.status,
      );
    }
    return parsed.data;
  }

  const id = encodeURIComponent;
  return {
    me: () => call('GET', '/me', Me),
    listUsers: (pageToken?: string) =>
      call('GET', `/users${buildQuery({ limit: 100, pageToken })}`, UserList),
    setRole: (uid: string, role: Role) =>
      call('PUT', `/users/${id(uid)}/role`, UserSummary, { role }),
    setTier: (uid: string, tier: RateTier | null) =>
      call('PUT', `/users/${id(uid)}/tier`, UserSummary, { tier }),
    listKeys: (query: { owner?: string; cursor?: string } = {}) =>
      call('GET', `/api-keys${buildQuery({ limit: 50, ...query })}`, ApiKeyPage),
    createKey: (request: CreateApiKeyRequest) => call('POST', '/api-keys', CreatedApiKey, request),
    revokeKey: (keyId: string) => call('DELETE', `/api-keys/${id(keyId)}`, ApiKeySummary),
    rotateKey: (keyId: string, graceSeconds: number) =>
      call('POST', `/api-keys/${id(keyId)}/rotate`, CreatedApiKey, { graceSeconds }),
    listAudit: (query: AuditFilters & { cursor?: string }) =>
      call('GET', `/audit${buildQuery({ limit: 50, ...query })}`, AuditPage),
    verifyAudit: () => call('GET', '/audit/verify', AuditVerification),
    usage: (query: { uid?: string; from?: string; to?: string; all?: boolean }) =>
      call('GET', `/usage${buildQuery(query)}`, UsageReport),
    // Provider keys (admins only): a key goes in with PUT and never comes back.
    listProviders: () => call('GET', '/providers', ProviderKeyList),
    setProviderKey: (provider: ProviderId, body: SetProviderKeyRequest) =>
      call('PUT', `/providers/${id(provider)}/key`, ProviderKeyRotation, body),
    testProviderKey: (provider: ProviderId) =>
      call('POST', `/providers/${id(provider)}/test`, ProviderKeyTestResult),
  };
}

/** The audit log's filters as the API takes them (`from`/`to`: ms or ISO 8601). */
export interface AuditFilters {
  actor?: string;
  action?: string;
  target?: string;
  from?: string;
  to?: string;
}

export type AdminApi = ReturnType<typeof createAdminApi>;
