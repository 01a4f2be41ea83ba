// Issue #6, redaction (the gateway's half; the admin API's audit half is tested in admin-api).
// Requests made with known provider keys go down every path: success, provider errors that
// quote the key, timeouts, validation errors and upstream crashes, through `/v1` (the openai
// SDK, streaming and not) and the chat callables (the firebase client SDK, streaming and not),
// for both providers. Afterwards no response (status, headers, every body byte, every chunk,
// every error), no line the server printed and no Firestore write may hold either key, a
// meaningful piece of one, or either of them base64-encoded.
//
// Firestore: the emulator used here (@firestore-emulator/server) implements neither
// ListCollectionIds nor ListDocuments, so `listCollections()` cannot walk it. The database is
// read twice instead: through firebase-admin along the known layout (users/{uid}/conversations/
// {cid}/messages/{mid}, usage/{uid}/calls|days/{day}/shards|models, apiKeys), and whole, by
// hooking the emulator started in this process: every document it ever created or updated
// (each version, in every collection, known or not) and its final state.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import OpenAI, { APIError } from 'openai';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import {
  FunctionsError,
  getFunctions,
  httpsCallableFromURL,
  type Functions,
} from 'firebase/functions';
import type { DocumentSnapshot } from 'firebase-admin/firestore';
import { FirestoreServer } from '@firestore-emulator/server';
import type { ChatResult, ChatChunk } from '@colonycraft/protocol';
import { createLocalSecretStore } from '@colonycraft/secrets';
import { stubReply, type Fault } from '@colonycraft/testing';
import { startGatewayFixture, type GatewayFixture } from './dev/gateway-fixture.js';
import { usageDay } from './usage/usage-ledger.js';

// Two distinct keys, and the stub switched to the right one before each call (it accepts a
// single key for both wire formats). One shared key would hide an adapter that redacts the
// wrong provider's key, and would not tell which provider a leak came from. OpenAI's key is
// read from the secret store, Anthropic's from the environment: both ways a key arrives.
const OPENAI_PREFIX = 'test-openai-';
const ANTHROPIC_PREFIX = 'test-anthropic-';
const OPENAI_KEY = `${OPENAI_PREFIX}${randomBytes(12).toString('hex')}`;
const ANTHROPIC_KEY = `${ANTHROPIC_PREFIX}${randomBytes(12).toString('hex')}`;
/** A key the stub accepts instead, so that it refuses ours with a 401. */
const OTHER_KEY = `test-other-${randomBytes(12).toString('hex')}`;

const FIRST_TOKEN_MS = 1_000;
const TOTAL_MS = 2_500;

type Provider = 'openai' | 'anthropic';
type Surface = 'v1' | 'v1 stream' | 'callable' | 'callable stream';

const PROVIDERS: Record<Provider, { key: string; model: string; callable: string }> = {
  openai: { key: OPENAI_KEY, model: 'openai/gpt-stub', callable: 'chatBy-openai' },
  anthropic: { key: ANTHROPIC_KEY, model: 'anthropic/claude-stub', callable: 'chatBy-anthropic' },
};

// ---- what must appear nowhere ----

/** The stable part of `secret`'s base64 at each of the three byte alignments, both alphabets. */
function base64Fragments(secret: string): string[] {
  const fragments: string[] = [];
  for (const offset of [0, 1, 2]) {
    const bytes = Buffer.concat([Buffer.alloc(offset), Buffer.from(secret)]);
    for (const encoding of ['base64', 'base64url'] as const) {
      let text = bytes.toString(encoding).replace(/=+$/, '');
      // The first group mixes in the bytes before the key, the last one those after it.
      if (offset > 0) text = text.slice(4);
      const rest = bytes.length % 3;
      if (rest > 0) text = text.slice(0, -(rest + 1));
      fragments.push(text);
    }
  }
  return fragments;
}

interface Needle {
  name: string;
  value: string;
  caseSensitive: boolean;
}

function needlesOf(provider: Provider, prefix: string): Needle[] {
  const key = PROVIDERS[provider].key;
  const random = key.slice(prefix.length);
  return [
    { name: `the ${provider} key`, value: key, caseSensitive: false },
    {
      name: `the first 12 characters of the ${provider} key's random part`,
      value: random.slice(0, 12),
      caseSensitive: false,
    },
    {
      name: `the last 12 characters of the ${provider} key's random part`,
      value: random.slice(-12),
      caseSensitive: false,
    },
    { name: `the ${provider} key in base64`, value: Buffer.from(key).toString('base64') },
    ...base64Fragments(key).map((value) => ({
      name: `the ${provider} key in base64 (aligned fragment)`,
      value,
    })),
  ].map((n) => ({ caseSensitive: true, ...n }));
}

const NEEDLES = [
  ...needlesOf('openai', OPENAI_PREFIX),
  ...needlesOf('anthropic', ANTHROPIC_PREFIX),
];

interface Material {
  where: string;
  text: string;
}

function findLeaks(material: readonly Material[]): string[] {
  const leaks = new Set<string>();
  for (const { where, text } of material) {
    const lower = text.toLowerCase();
    for (const needle of NEEDLES) {
      const found = needle.caseSensitive
        ? text.includes(needle.value)
        : lower.includes(needle.value.toLowerCase());
      if (found) leaks.add(`${where}: holds ${needle.name}`);
    }
  }
  return [...leaks];
}

// ---- what came back ----

const responses: Material[] = [];
let rawResponses = 0;

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  // inspect shows an error's own properties (status, body, headers, details), cause and stack.
  if (value instanceof Error) return inspect(value, { depth: 10, breakLength: Infinity });
  return JSON.stringify(value) ?? inspect(value, { depth: 10 });
}

function collect(where: string, value: unknown): void {
  responses.push({ where, text: textOf(value) });
}

/** Reads a body to its end, keeping what arrived if it breaks off. */
async function drain(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (!body) return '';
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    text += `\n[the body broke off: ${String(error)}]`;
  }
  return text + decoder.decode();
}

let gw: GatewayFixture;
const realFetch = globalThis.fetch;

/** Where a request went, if to the gateway, for the record. */
function gatewayTarget(input: string | URL | Request, init: RequestInit | undefined) {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!gw || !url.startsWith(gw.url)) return undefined;
  rawResponses += 1;
  return `raw ${init?.method ?? 'GET'} ${new URL(url).pathname}`;
}

const rawText = (response: Response, body: string) =>
  `HTTP ${response.status}\n${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${body}`;

/**
 * The openai SDK's fetch: each response from the gateway is read to its end (status, headers,
 * every byte of the body, so every SSE line) and collected; the SDK then gets the same bytes.
 * The gateway still streams; only this client reads a copy. (A clone read beside the SDK can
 * stay pending for good once the SDK aborts its request on an error mid-stream.)
 */
const bufferingFetch: typeof fetch = async (input, init) => {
  const response = await realFetch(input, init);
  const where = gatewayTarget(input, init);
  if (!where) return response;
  const body = await drain(response.body);
  collect(`${where} → ${response.status}`, rawText(response, body));
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
};

/** Bodies still being read beside the firebase SDK. */
const reading: Promise<void>[] = [];

/**
 * The firebase SDK's fetch: a clone of each response is read to its end beside the SDK, which
 * must get the stream as it comes (it drops events still queued when a stream ends in an error).
 */
const teeingFetch: typeof fetch = async (input, init) => {
  const response = await realFetch(input, init);
  const where = gatewayTarget(input, init);
  if (!where) return response;
  const copy = response.clone();
  reading.push(
    drain(copy.body).then((body) =>
      collect(`${where} → ${response.status}`, rawText(response, body)),
    ),
  );
  return response;
};

// ---- the calls ----

let app: FirebaseApp;
let functions: Functions;
let client: OpenAI;
let token: string;
const sub = `redaction-${randomUUID()}`;

interface Outcome {
  text: string;
  /** Every error the caller was told of: the SDK's error, an `error` event, a rejected result. */
  errors: { status?: number | undefined; code?: string | undefined; message: string }[];
}

const errorText = (out: Outcome) => out.errors.map((e) => e.message).join(' | ');

function noteError(where: string, out: Outcome, error: unknown): void {
  collect(where, error);
  if (error instanceof APIError) {
    collect(where, {
      status: error.status,
      headers: [...(error.headers ?? [])],
      body: error.error,
    });
    out.errors.push({
      status: error.status,
      code: error.code ?? undefined,
      message: error.message,
    });
  } else if (error instanceof FunctionsError) {
    collect(where, { code: error.code, message: error.message, details: error.details });
    out.errors.push({ code: error.code, message: error.message });
  } else {
    out.errors.push({ message: String(error) });
  }
}

async function askV1(where: string, body: object, stream: boolean): Promise<Outcome> {
  const out: Outcome = { text: '', errors: [] };
  try {
    if (!stream) {
      const completion = await client.chat.completions.create(
        body as OpenAI.ChatCompletionCreateParamsNonStreaming,
      );
      collect(where, completion);
      out.text = completion.choices[0]?.message.content ?? '';
      return out;
    }
    const chunks = await client.chat.completions.create({
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    } as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
    for await (const chunk of chunks) {
      collect(where, chunk);
      out.text += chunk.choices[0]?.delta.content ?? '';
    }
  } catch (error) {
    noteError(where, out, error);
  }
  return out;
}

async function askCallable(
  where: string,
  name: string,
  body: object,
  stream: boolean,
): Promise<Outcome> {
  const out: Outcome = { text: '', errors: [] };
  const callable = httpsCallableFromURL<unknown, ChatResult, ChatChunk>(
    functions,
    `${gw.url}${name}`,
  );
  const data = { clientToken: token, ...body };
  if (!stream) {
    try {
      const result = await callable(data);
      collect(where, result.data);
      out.text = result.data.text;
    } catch (error) {
      noteError(where, out, error);
    }
    return out;
  }
  const { stream: events, data: result } = await callable.stream(data);
  try {
    for await (const event of events) {
      collect(where, event);
      if (event.type === 'text-delta') out.text += event.text;
      if (event.type === 'error') out.errors.push({ code: event.code, message: event.message });
    }
  } catch (error) {
    noteError(where, out, error);
  }
  await result.then(
    (final) => collect(where, final),
    (error: unknown) => noteError(where, out, error),
  );
  return out;
}

/** Calls that got past validation: each must log one `chat` line and record one usage record. */
let reached = 0;
/** Of those, the callables' ones: each opens a new conversation... */
let reachedByCallables = 0;
/**
 * ...and keeps its exchange there (two messages) when some of the answer came: one that failed
 * before any is not kept (record-call.ts). Counted by the text the caller saw, so at least.
 */
let exchangesKept = 0;
/** What went upstream, which does hold the keys: the scan's positive control. */
const upstream: Material[] = [];

interface Drive {
  body: object;
  faults?: Fault[];
  /** The key the stub accepts; by default the provider's. */
  stubKey?: string;
  /** False for requests refused before any provider is called. */
  reaches?: boolean;
  /** For the callables: which function; by default the provider's own. */
  callable?: string;
}

async function drive(
  surface: Surface,
  provider: Provider,
  scenario: string,
  options: Drive,
): Promise<Outcome> {
  gw.stub.reset();
  gw.stub.setApiKey(options.stubKey ?? PROVIDERS[provider].key);
  gw.stub.script(...(options.faults ?? []));
  const where = `${surface}, ${provider}, ${scenario}`;
  const callable = options.callable ?? PROVIDERS[provider].callable;
  const out = surface.startsWith('v1')
    ? await askV1(where, options.body, surface === 'v1 stream')
    : await askCallable(where, callable, options.body, surface === 'callable stream');
  if (options.reaches ?? true) {
    reached += 1;
    if (surface.startsWith('callable')) reachedByCallables += 1;
    if (surface.startsWith('callable') && out.text !== '') exchangesKept += 1;
  }
  upstream.push({ where: `upstream of ${where}`, text: JSON.stringify(gw.stub.requests) });
  return out;
}

// ---- Firestore, whole ----

/** Every version of every document the emulator stored, and the emulator, once started. */
const writes: Material[] = [];
const emulators: FirestoreServer[] = [];

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'redaction-'));
  const secrets = {
    SECRET_STORE: 'local',
    LOCAL_SECRETS_FILE: join(dir, 'sealed.json'),
    LOCAL_SECRETS_KEY: randomBytes(32).toString('base64'),
  };
  await createLocalSecretStore({
    file: secrets.LOCAL_SECRETS_FILE,
    key: secrets.LOCAL_SECRETS_KEY,
  }).addVersion('OPENAI_API_KEY', OPENAI_KEY);

  // The fixture starts its Firestore emulator in this process: catch it as it starts, to see
  // every write it takes.
  const start = FirestoreServer.prototype.start;
  FirestoreServer.prototype.start = function (this: FirestoreServer, port: number) {
    emulators.push(this);
    const record = ({
      document,
    }: {
      document: { toJSON(): { path: string; fields: unknown } };
    }) => {
      const { path, fields } = document.toJSON();
      writes.push({ where: `firestore write ${path}`, text: `${path}\n${JSON.stringify(fields)}` });
    };
    this.state.emitter.on('create-document', record);
    this.state.emitter.on('update-document', record);
    return start.call(this, port);
  };
  try {
    gw = await startGatewayFixture({
      ...secrets,
      OPENAI_API_KEY: '', // only the store holds OpenAI's key
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      GATEWAY_FIRST_TOKEN_TIMEOUT_MS: String(FIRST_TOKEN_MS),
      GATEWAY_TOTAL_TIMEOUT_MS: String(TOTAL_MS),
      GATEWAY_MAX_RETRIES: '1',
      GATEWAY_RETRY_BASE_MS: '10',
    });
  } finally {
    FirestoreServer.prototype.start = start;
  }
  token = await gw.token({ sub, tier: 'unlimited' });
  client = new OpenAI({
    apiKey: token,
    baseURL: `${gw.url}v1/v1`,
    maxRetries: 0,
    fetch: bufferingFetch,
  });
  // The firebase SDK calls the global fetch.
  vi.stubGlobal('fetch', teeingFetch);
  app = initializeApp(
    { apiKey: 'demo-api-key', projectId: 'demo-colonycraft' },
    `redaction-${randomUUID()}`,
  );
  functions = getFunctions(app);
});

afterAll(async () => {
  vi.unstubAllGlobals();
  if (app) await deleteApp(app);
  await gw?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- every path ----

const SURFACES: Surface[] = ['v1', 'v1 stream', 'callable', 'callable stream'];
const CASES = SURFACES.flatMap((surface) =>
  (['openai', 'anthropic'] as const).map((provider) => ({ surface, provider })),
);

const ask = (content: string) => [{ role: 'user', content }];

describe.each(CASES)('$surface, $provider', ({ surface, provider }) => {
  const { key, model } = PROVIDERS[provider];
  const streams = surface.endsWith('stream');
  const run = (scenario: string, options: Drive) => drive(surface, provider, scenario, options);

  it('answers, having sent the known key upstream', async () => {
    const prompt = `hello from ${surface} to ${provider}`;
    const out = await run('success', { body: { model, messages: ask(prompt) } });
    expect(out.errors).toEqual([]);
    expect(out.text).toBe(stubReply(prompt));
    // The key really was the one in use: from the store for OpenAI, the environment for Anthropic.
    expect(JSON.stringify(gw.stub.requests[0]?.headers)).toContain(key);
  });

  it('passes on a 400 whose message quotes the key, redacted', async () => {
    const out = await run('400 quoting the key', {
      body: { model, messages: ask('refuse me') },
      faults: [{ kind: 'status', status: 400, message: `bad request for key ${key}` }],
    });
    expect(out.text).toBe('');
    expect(errorText(out)).toContain(`${provider} answered 400: bad request for key [redacted]`);
    expect(gw.stub.requests).toHaveLength(1);
  });

  it("reports a 401 for a refused key without the provider's words", async () => {
    const out = await run('401 refusing the key', {
      body: { model, messages: ask('who am I') },
      stubKey: OTHER_KEY,
    });
    expect(errorText(out)).toContain(`${provider} is not available: it refused the configured key`);
    expect(gw.stub.requests.map((r) => r.status)).toEqual([401]);
  });

  it('retries a 500 whose body quotes the key, then reports it redacted', async () => {
    const fault: Fault = { kind: 'status', status: 500, message: `upstream broke using ${key}` };
    const out = await run('500 quoting the key', {
      body: { model, messages: ask('break') },
      faults: [fault, fault],
    });
    expect(errorText(out)).toContain(`${provider} answered 500: upstream broke using [redacted]`);
    expect(gw.stub.requests.map((r) => r.status)).toEqual([500, 500]);
  });

  it('times out waiting for the first token, retried once', async () => {
    const slow: Fault = { kind: 'latency', ms: 2 * FIRST_TOKEN_MS + 500 };
    const out = await run('first-token timeout', {
      body: { model, messages: ask('slow') },
      faults: [slow, slow],
    });
    expect(errorText(out)).toContain(`${provider} did not answer in time`);
    expect(gw.stub.requests).toHaveLength(2);
  });

  it('cuts an answer that takes longer than the total timeout', async () => {
    const prompt = 'please give a long answer with plenty of words in it';
    const out = await run('total timeout', {
      body: { model, messages: ask(prompt) },
      faults: [{ kind: 'chunk-delay', ms: 300 }],
    });
    expect(errorText(out)).toContain(`took longer than ${TOTAL_MS} ms`);
    if (streams) {
      expect(out.text.length).toBeGreaterThan(0);
      expect(stubReply(prompt).startsWith(out.text)).toBe(true);
    }
  });

  it('reports a malformed upstream stream before any answer', async () => {
    const out = await run('malformed before the answer', {
      body: { model, messages: ask('garble') },
      faults: [{ kind: 'malformed', afterChunks: 0 }],
    });
    expect(out.text).toBe('');
    expect(errorText(out)).toContain(`${provider} sent a malformed stream`);
  });

  it.each([
    { kind: 'error-event', says: `${provider} sent an error in its stream` },
    { kind: 'malformed', says: `${provider} sent a malformed stream` },
    { kind: 'cut', says: provider },
  ] as const)('reports an upstream $kind mid-answer', async ({ kind, says }) => {
    const prompt = `break off with ${kind}`;
    const out = await run(`${kind} mid-answer`, {
      body: { model, messages: ask(prompt) },
      faults: [{ kind, afterChunks: 2 }],
    });
    expect(errorText(out)).toContain(says);
    if (streams) {
      expect(out.text.length).toBeGreaterThan(0);
      expect(stubReply(prompt).startsWith(out.text)).toBe(true);
    }
    expect(gw.stub.requests).toHaveLength(1);
  });

  it.each([
    { scenario: 'unknown model', body: { model: `${provider}/nope`, messages: ask('x') } },
    { scenario: 'empty messages', body: { model, messages: [] } },
    {
      scenario: 'wrong types',
      body: { model, messages: [{ role: 'user', content: 42 }], temperature: 'hot' },
    },
  ])('refuses a request with $scenario before any provider call', async ({ scenario, body }) => {
    const out = await run(`validation: ${scenario}`, { body, reaches: false });
    expect(out.errors.length).toBeGreaterThan(0);
    if (surface.startsWith('v1')) expect(out.errors[0]?.status).toBe(400);
    else expect(out.errors[0]?.code).toBe('functions/invalid-argument');
    expect(gw.stub.requests).toHaveLength(0);
  });
});

describe('`chat` and `smart` across providers', () => {
  it.each(SURFACES)(
    '%s: falls back to OpenAI after Anthropic 500s quoting its key',
    async (surface) => {
      const fault: Fault = {
        kind: 'status',
        status: 500,
        message: `anthropic failed with ${ANTHROPIC_KEY}`,
      };
      const prompt = `fall back via ${surface}`;
      // Faults come before the stub checks the key; the fallback's OpenAI call must pass it.
      const out = await drive(surface, 'openai', 'alias fallback', {
        body: { model: 'smart', messages: ask(prompt) },
        faults: [fault, fault],
        callable: 'chat',
      });
      expect(out.errors).toEqual([]);
      expect(out.text).toBe(stubReply(prompt));
      expect(gw.stub.requests.map((r) => `${r.provider}:${r.status}`)).toEqual([
        'anthropic:500',
        'anthropic:500',
        'openai:200',
      ]);
    },
  );

  it('`chat` refuses a key of its own, redacted', async () => {
    const out = await drive('callable', 'anthropic', 'chat 400 quoting the key', {
      body: { model: 'anthropic/claude-stub', messages: ask('x') },
      faults: [{ kind: 'status', status: 400, message: `no: ${ANTHROPIC_KEY}` }],
      callable: 'chat',
    });
    expect(errorText(out)).toContain('anthropic answered 400: no: [redacted]');
  });

  it('lists the models through both surfaces', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    collect('v1 models', ids);
    const listed = await httpsCallableFromURL(
      functions,
      `${gw.url}listModels`,
    )({
      clientToken: token,
    });
    collect('listModels', listed.data);
    expect(ids).toEqual(expect.arrayContaining(['openai/gpt-stub', 'anthropic/claude-stub']));
  });
});

// ---- and then: nowhere ----

/** Documents along the known layout, read through firebase-admin. */
async function readKnownLayout(): Promise<Material[]> {
  const docs: Material[] = [];
  const add = (snapshot: DocumentSnapshot) => {
    if (snapshot.exists) {
      docs.push({
        where: `firestore ${snapshot.ref.path}`,
        text: `${snapshot.ref.path}\n${JSON.stringify(snapshot.data())}`,
      });
    }
  };
  const { db } = gw;
  for (const root of ['users', 'usage', 'apiKeys']) {
    for (const doc of (await db.collection(root).get()).docs) add(doc);
  }
  add(await db.doc(`users/${sub}`).get());
  for (const conversation of (await db.collection(`users/${sub}/conversations`).get()).docs) {
    add(conversation);
    for (const message of (await conversation.ref.collection('messages').get()).docs) add(message);
  }
  add(await db.doc(`usage/${sub}`).get());
  const days = new Set<string>();
  for (const call of (await db.collection(`usage/${sub}/calls`).get()).docs) {
    add(call);
    days.add(usageDay(call.get('at') as number));
  }
  // Day documents are never written, only their shards and models: the calls name the days.
  for (const day of days) {
    const ref = db.doc(`usage/${sub}/days/${day}`);
    for (const shard of (await ref.collection('shards').get()).docs) add(shard);
    for (const model of (await ref.collection('models').get()).docs) add(model);
  }
  return docs;
}

describe('after every path', () => {
  it('no response, log line or Firestore document holds a key, a piece of one, or its base64', async () => {
    await Promise.all(reading);

    // -- the responses: every call came back, raw, and the material says what it should.
    expect(rawResponses).toBeGreaterThanOrEqual(CASES.length * 12);
    const said = responses.map((r) => r.text).join('\n');
    expect(said).toContain(stubReply('hello from v1 to anthropic'));
    expect(said).toContain(stubReply('hello from callable stream to openai'));
    expect(said).toContain('data: [DONE]');
    expect(said).toContain('openai answered 400: bad request for key ');
    expect(said).toContain('anthropic answered 500: upstream broke using ');
    expect(said).toContain('anthropic did not answer in time');
    expect(said).toContain('is not a model here');

    // -- the log: one `chat` line per call that got past validation, none dropped.
    expect(reached).toBeGreaterThan(60);
    const chatLines = () =>
      gw.server
        .output()
        .split('\n')
        .filter((line) => {
          try {
            const entry = JSON.parse(line) as { message?: unknown; principal?: unknown };
            return entry.message === 'chat' && entry.principal === sub;
          } catch {
            return false;
          }
        });
    await expect.poll(() => chatLines().length).toBe(reached);
    expect(gw.server.output().split('\n').length).toBeLessThan(2_000); // the child keeps 2000
    const log = [{ where: 'server log', text: gw.server.output() }];

    // -- Firestore along the known layout: one usage record per call, a conversation per
    // callable call, the exchanges in them (an answer cut by a failure too, with its error).
    const known = await readKnownLayout();
    const paths = known.map((d) => d.where);
    const calls = paths.filter((p) => p.startsWith(`firestore usage/${sub}/calls/`));
    const conversations = paths.filter((p) =>
      /^firestore users\/[^/]+\/conversations\/[^/]+$/.test(p),
    );
    const messages = paths.filter((p) => p.includes('/messages/'));
    expect(calls).toHaveLength(reached);
    expect(conversations).toHaveLength(reachedByCallables);
    expect(exchangesKept).toBeGreaterThan(0);
    expect(messages.length).toBeGreaterThanOrEqual(2 * exchangesKept);

    // -- Firestore whole: the emulator saw every one of those documents written.
    expect(emulators).toHaveLength(1);
    const state = { where: 'firestore state', text: JSON.stringify(emulators[0]!.state.toJSON()) };
    const written = new Set(writes.map((w) => w.where.replace(/^.*\/documents\//, '')));
    for (const path of paths) expect(written).toContain(path.replace(/^firestore /, ''));
    expect(state.text).toContain(stubReply('hello from callable stream to openai'));

    // -- the scan can fail: what went upstream holds both keys.
    const control = findLeaks(upstream);
    expect(control.some((leak) => leak.endsWith('holds the openai key'))).toBe(true);
    expect(control.some((leak) => leak.endsWith('holds the anthropic key'))).toBe(true);
    const sample = `x${Buffer.from(`"${ANTHROPIC_KEY}"`).toString('base64')}y`;
    expect(findLeaks([{ where: 'sample', text: sample }])).not.toEqual([]);

    // -- and the scan itself.
    expect(findLeaks([...responses, ...log, ...known, ...writes, state])).toEqual([]);
  });
});
