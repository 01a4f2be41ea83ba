// `POST /providers/:id/test`: one cheap call with the stored key, the provider's model list in
// its row's wire format (one check per wire format, so a provider on a known format needs
// nothing here), answered in our own words. Never the provider's response text (providers echo
// a masked key in their errors) and never the key. Redirects are not followed: fetch would carry
// `x-api-key` to wherever the redirect points. Not audited: it changes nothing. A compatible
// server whose preset needs no key (Ollama, vLLM, LM Studio) is checked without one when none
// is set.
import {
  compatiblePreset,
  providerKeyInfo,
  type KeyedWireFormat,
  type ProviderId,
  type ProviderKeyInfo,
  type ProviderKeyTestResult,
} from '@colonycraft/protocol';
import type { SecretStore } from '@colonycraft/secrets';
import { storeCall } from './provider-key-store.js';

/** Where the providers live, from the same variables the functions read. */
export interface ProviderEndpoints {
  baseUrls: Readonly<Record<ProviderId, string | undefined>>;
  /** COMPATIBLE_PRESET: its base URL when COMPATIBLE_BASE_URL is unset. */
  compatiblePreset: string | undefined;
}

export interface KeyCheckDeps {
  secrets: SecretStore;
  endpoints: ProviderEndpoints;
  /** 10 s in the server. */
  timeoutMs: number;
}

export const KEY_CHECK_TIMEOUT_MS = 10_000;

function presetOf(endpoints: ProviderEndpoints, info: ProviderKeyInfo) {
  return info.id === 'compatible' && endpoints.compatiblePreset
    ? compatiblePreset(endpoints.compatiblePreset)
    : undefined;
}

/** The variable's URL, else (compatible) the preset's, else the provider's default. */
export function providerBaseUrl(
  endpoints: ProviderEndpoints,
  info: ProviderKeyInfo,
): string | undefined {
  return endpoints.baseUrls[info.id] ?? presetOf(endpoints, info)?.baseURL ?? info.defaultBaseUrl;
}

type KeyCheckRequest = { url: string; headers: Record<string, string> };

/** The model-list request of each wire format that takes a key; the base has no trailing slash. */
const KEY_CHECKS: Readonly<
  Record<KeyedWireFormat, (base: string, key: string | undefined) => KeyCheckRequest>
> = {
  openai: (base, key) => ({
    url: `${base}/models`,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}) },
  }),
  anthropic: (base, key) => ({
    url: `${base}/v1/models`,
    headers: { ...(key ? { 'x-api-key': key } : {}), 'anthropic-version': '2023-06-01' },
  }),
};

function modelListRequest(
  info: ProviderKeyInfo,
  baseUrl: string,
  key: string | undefined,
): KeyCheckRequest {
  return KEY_CHECKS[info.wire](baseUrl.replace(/\/+$/, ''), key);
}

/** What an HTTP status means for the key (or for going without one), in our words. */
function verdict(
  info: ProviderKeyInfo,
  host: string,
  status: number,
  keyless: boolean,
): [boolean, string] {
  const name = info.displayName;
  if (status >= 200 && status < 300) {
    return [
      true,
      keyless
        ? `${host} works without a key: it listed its models.`
        : `The key works: ${name} listed its models.`,
    ];
  }
  if (status === 401 || status === 403) {
    return [
      false,
      keyless
        ? `${host} asks for a key (HTTP ${status}): set one.`
        : `${name} refused the key (HTTP ${status}): set a valid key.`,
    ];
  }
  if (status === 404) {
    return [
      false,
      `${host} has no model list there (HTTP 404): check the base URL (${info.baseUrlVariable}).`,
    ];
  }
  if (status === 429) {
    return [
      true,
      `${name} rate-limited the check (HTTP 429); the key itself was accepted. Calls may fail until the limit resets or quota is added.`,
    ];
  }
  if (status >= 500) {
    return [
      false,
      `${name} had an error (HTTP ${status}); this says nothing about the key. Try again later.`,
    ];
  }
  if (status >= 300 && status < 400) {
    return [
      false,
      `${host} answered with a redirect (HTTP ${status}), which is not followed with a key: check the base URL (${info.baseUrlVariable}).`,
    ];
  }
  return [
    false,
    `${host} answered HTTP ${status} to a model list: check the base URL (${info.baseUrlVariable}).`,
  ];
}

function unreachable(host: string, error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `${host} did not answer within ${timeoutMs / 1000} s.`;
  }
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  const why = typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? ` (${code})` : '';
  return `Could not reach ${host}${why}.`;
}

export async function checkProviderKey(
  deps: KeyCheckDeps,
  id: ProviderId,
): Promise<ProviderKeyTestResult> {
  const info = providerKeyInfo(id);
  const { secrets } = deps;
  const key = await storeCall(secrets, `read ${info.secretName}`, () =>
    secrets.access(info.secretName),
  );
  const keyless = key === undefined && presetOf(deps.endpoints, info)?.requiresApiKey === false;
  if (key === undefined && !keyless) {
    return {
      ok: false,
      status: null,
      latencyMs: 0,
      message: `No key is set for ${info.displayName}: set one first.`,
    };
  }
  const baseUrl = providerBaseUrl(deps.endpoints, info);
  if (baseUrl === undefined) {
    return {
      ok: false,
      status: null,
      latencyMs: 0,
      message: `${info.displayName} has no base URL: set ${info.baseUrlVariable} or COMPATIBLE_PRESET.`,
    };
  }
  const host = new URL(baseUrl).host;
  const request = modelListRequest(info, baseUrl, key);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'GET',
      headers: { accept: 'application/json', ...request.headers },
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
  } catch (error) {
    return {
      ok: false,
      status: null,
      latencyMs: elapsed(),
      message: unreachable(host, error, deps.timeoutMs),
    };
  }
  const latencyMs = elapsed();
  // The body is never read: it is only the provider's words, and may quote the key.
  await response.body?.cancel().catch(() => undefined);
  const [ok, message] = verdict(info, host, response.status, keyless);
  return { ok, status: response.status, latencyMs, message };
}
