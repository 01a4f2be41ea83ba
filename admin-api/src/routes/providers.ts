// `/providers`: the LLM providers' keys, admins only. A key goes in (PUT) and never comes out;
// at most its last four characters do.
import { z } from 'zod';
import {
  DEFAULT_PROVIDER_KEY_GRACE_SECONDS,
  ProviderId,
  ProviderKeyList,
  ProviderKeyRotation,
  ProviderKeyTestResult,
  SetProviderKeyRequest,
} from '@colonycraft/protocol';
import { checkProviderKey, type KeyCheckDeps } from '../domain/provider-key-check.js';
import {
  listProviderKeys,
  rotateProviderKey,
  type ProviderKeyDeps,
} from '../domain/provider-keys.js';
import { contextOf } from '../http/request-context.js';
import { defineRoute, type Route } from '../http/route.js';

const ProviderParams = z.object({ id: ProviderId });

export function providerRoutes(deps: ProviderKeyDeps & KeyCheckDeps): Route[] {
  return [
    defineRoute({
      id: 'listProviderKeys',
      method: 'get',
      path: '/providers',
      tag: 'providers',
      summary: "Each provider's key: whether one is set, its last four characters, its versions.",
      description:
        '`store` says where keys live (`google`: Secret Manager; `local`: the sealed file of ' +
        'local stacks). `keyLast4` is null for keys shorter than 12 characters. Versions come ' +
        'from the store, with who added each through this API and when a rotation will disable ' +
        'it. Versions whose grace has ended are disabled before the answer is built.',
      access: ['admin'],
      response: { status: 200, schema: ProviderKeyList, description: 'Every provider.' },
      errors: ['conflict', 'unavailable'],
      handle: () => listProviderKeys(deps),
    }),
    defineRoute({
      id: 'setProviderKey',
      method: 'put',
      path: '/providers/:id/key',
      tag: 'providers',
      summary: "Rotates a provider's key: adds it as a new version of the secret.",
      description:
        'The versions enabled until now stay enabled for `graceSeconds` (default ' +
        `${DEFAULT_PROVIDER_KEY_GRACE_SECONDS}; 0 disables them before answering), then the ` +
        'sweeper disables them. Rotations of one provider run one at a time. Audited as ' +
        '`provider_key.rotate` (version numbers and times, never the key); each disabled ' +
        'version as `provider_key.disable`. 409 when the store cannot take keys (a local store ' +
        'without LOCAL_SECRETS_FILE or LOCAL_SECRETS_KEY); 503 when it fails.',
      access: ['admin'],
      params: ProviderParams,
      body: SetProviderKeyRequest,
      response: {
        status: 200,
        schema: ProviderKeyRotation,
        description: 'The new version, the versions it replaces and when they are disabled.',
      },
      errors: ['conflict', 'unavailable'],
      handle: ({ params, body }, req, res) =>
        rotateProviderKey(deps, contextOf(req, res), params.id, body),
    }),
    defineRoute({
      id: 'testProviderKey',
      method: 'post',
      path: '/providers/:id/test',
      tag: 'providers',
      summary: "Checks the stored key with one cheap call: the provider's model list.",
      description:
        'OpenAI and compatible: `GET {baseURL}/models` with `Authorization: Bearer`; Anthropic: ' +
        '`GET {baseURL}/v1/models` with `x-api-key`. The base URL is the one the functions use ' +
        '(OPENAI_BASE_URL, ANTHROPIC_BASE_URL, COMPATIBLE_BASE_URL or COMPATIBLE_PRESET, else ' +
        "the provider's). 10 s timeout; redirects are not followed. The answer is always 200: " +
        '`ok`, the HTTP `status` (null when unreachable or no key is set) and a message in our ' +
        "words, never the provider's text. Not audited: it changes nothing.",
      access: ['admin'],
      params: ProviderParams,
      response: { status: 200, schema: ProviderKeyTestResult, description: 'The verdict.' },
      errors: ['conflict', 'unavailable'],
      handle: ({ params }) => checkProviderKey(deps, params.id),
    }),
  ];
}
