// The provider contract (providers/provider.ts) as one suite that every adapter's test runs, as
// every limit store runs its behaviour suite: a complete answer, aborts, cut and broken streams,
// upstream refusals with retry-after, timeouts and missing usage, and the tool calls and reasoning
// of provider-contract-answers.ts, against the provider stub through the adapter's real SDK. A new
// provider passes it before anything else. It sits in a dev/ folder, which never ships
// (scripts/package-functions.ts).
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamEvent, Usage } from '@colonycraft/protocol';
import {
  countStubTokens,
  startProviderStub,
  stubReply,
  type Fault,
  type ProviderStub,
} from '@colonycraft/testing';
import {
  ProviderError,
  type Provider,
  type ProviderCallOptions,
  type ProviderRequest,
} from '../provider.js';
import { estimateUsage } from '../usage.js';
import { answerCases } from './provider-contract-answers.js';

const SYSTEM = 'You are terse.';
const QUESTION = 'Name three primary colours.';

/** What every case asks. */
export const CONTRACT_REQUEST: ProviderRequest = {
  model: 'contract-model',
  messages: [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: QUESTION },
  ],
};

/** The key the suite's stub accepts; a provider built with any other is refused (401). */
const STUB_KEY = 'test-contract-key-right-0123456789';
const WRONG_KEY = 'test-contract-key-wrong-abcdef0123';

export interface Answer {
  text: string;
  usage: Usage;
}

/** The stub's whole answer to {@link CONTRACT_REQUEST}, with its exact counts. */
export const STUB_ANSWER: Answer = {
  text: stubReply(QUESTION),
  usage: {
    inputTokens: countStubTokens(`${SYSTEM}\n${QUESTION}`),
    outputTokens: countStubTokens(stubReply(QUESTION)),
    estimated: false,
  },
};

/**
 * The usage a provider reports for `request`'s answer cut or cancelled after producing
 * `produced` (its text, reasoning, tool names and arguments so far).
 */
type UsageSoFar = (produced: string, request: ProviderRequest) => Usage;

export type ProviderContractSubject =
  | {
      /** Builds the adapter against the suite's stub, with `apiKey` as its key. */
      upstream: (stub: ProviderStub, apiKey: string) => Provider;
      /**
       * Default: all estimated, as upstreams send their counts last. An upstream that counts
       * the input first (Anthropic's message_start) says so here.
       */
      usageSoFar?: UsageSoFar;
    }
  | {
      /**
       * A provider with no upstream (local): it runs the cases that need none, the complete
       * answer and the abort; the rest are faults of an upstream it does not have, and tool
       * calls and reasoning, which it does not declare.
       */
      standalone: () => Provider;
      answer: Answer;
      usageSoFar: UsageSoFar;
    };

/** Reads a provider's stream to its end, keeping the events and what it threw, if anything. */
export async function runProvider(
  provider: Provider,
  request: ProviderRequest,
  options: Partial<ProviderCallOptions> = {},
) {
  const events: StreamEvent[] = [];
  let error: unknown;
  try {
    const stream = provider.streamChat(request, {
      signal: options.signal ?? new AbortController().signal,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    });
    for await (const event of stream) events.push(event);
  } catch (caught) {
    error = caught;
  }
  const text = events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
  return { events, text, error, last: events.at(-1), types: events.map((e) => e.type) };
}

export type ProviderRun = Awaited<ReturnType<typeof runProvider>>;

interface Context {
  provider(): Provider;
  answer: Answer;
  usageSoFar: UsageSoFar;
  /** Upstream adapters only. */
  stub?(): ProviderStub;
}

type UpstreamContext = Context & { stub(): ProviderStub };

export function providerContract(subject: ProviderContractSubject): void {
  describe('the provider contract', () => {
    if ('standalone' in subject) {
      everyProviderCases({ ...subject, provider: subject.standalone });
      return;
    }
    let stub: ProviderStub;
    let provider: Provider;
    beforeAll(async () => {
      stub = await startProviderStub({ apiKey: STUB_KEY });
      provider = subject.upstream(stub, STUB_KEY);
    });
    afterAll(() => stub.close());
    beforeEach(() => stub.reset());
    const context: UpstreamContext = {
      provider: () => provider,
      stub: () => stub,
      answer: STUB_ANSWER,
      usageSoFar: subject.usageSoFar ?? ((produced, request) => estimateUsage(request, produced)),
    };
    everyProviderCases(context);
    upstreamCases(context, (apiKey) => subject.upstream(stub, apiKey));
    describe('tool calls and reasoning', () =>
      answerCases({
        ...context,
        request: CONTRACT_REQUEST,
        inputTokens: STUB_ANSWER.usage.inputTokens,
        run: (request, options) => runProvider(provider, request, options),
      }));
  });
}

/** Whether the upstream request was cancelled, once the stub has seen the connection close. */
async function expectUpstreamCancelled(context: Context): Promise<void> {
  const stub = context.stub?.();
  if (stub) await vi.waitFor(() => expect(stub.requests[0]?.aborted).toBe(true));
}

/** What every provider shows, with an upstream or without. */
function everyProviderCases(context: Context): void {
  const run = (options?: Partial<ProviderCallOptions>) =>
    runProvider(context.provider(), CONTRACT_REQUEST, options);

  it('when an answer streams to its end, then text deltas come, then one usage, then one finish', async () => {
    const { events, text, error, types } = await run();

    expect(error).toBeUndefined();
    expect(text).toBe(context.answer.text);
    expect(types.slice(0, -2).every((type) => type === 'text-delta')).toBe(true);
    expect(events.slice(-2)).toEqual([
      { type: 'usage', usage: context.answer.usage },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('when the caller aborts after 2 deltas, then the upstream is cancelled and the stream ends with the usage so far and finish cancelled', async () => {
    context.stub?.().script({ kind: 'chunk-delay', ms: 50 });
    const controller = new AbortController();
    const events: StreamEvent[] = [];
    const stream = context.provider().streamChat(CONTRACT_REQUEST, {
      signal: controller.signal,
      connectTimeoutMs: 5_000,
    });
    for await (const event of stream) {
      events.push(event);
      if (events.length === 2) controller.abort();
    }

    const [first, second] = events;
    expect([first?.type, second?.type]).toEqual(['text-delta', 'text-delta']);
    const text = events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
    expect(events.slice(2)).toEqual([
      { type: 'usage', usage: context.usageSoFar(text, CONTRACT_REQUEST) },
      { type: 'finish', reason: 'cancelled' },
    ]);
    await expectUpstreamCancelled(context);
  });
}

/** The faults of an upstream: broken streams, refusals, timeouts, missing usage. */
function upstreamCases(context: UpstreamContext, withKey: (key: string) => Provider): void {
  const run = (options?: Partial<ProviderCallOptions>) =>
    runProvider(context.provider(), CONTRACT_REQUEST, options);
  const stub = () => context.stub();
  const id = () => context.provider().id;

  it('when keep-alive comments come between chunks, then they are ignored', async () => {
    stub().script({ kind: 'keep-alive' });
    const { text, events } = await run();

    expect(text).toBe(context.answer.text);
    expect(events.slice(-2)).toEqual([
      { type: 'usage', usage: context.answer.usage },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('when the upstream sends no usage, then the usage is counted locally and marked estimated', async () => {
    stub().script({ kind: 'no-usage' });
    const { events } = await run();

    expect(events.slice(-2)).toEqual([
      { type: 'usage', usage: estimateUsage(CONTRACT_REQUEST, context.answer.text) },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it.each([
    {
      what: 'the connection is cut after 2 chunks',
      fault: { kind: 'cut', afterChunks: 2 },
      text: 'Hello from',
      error: () => ({ code: 'network', retryable: true }),
    },
    {
      what: 'an error event arrives after 1 chunk',
      fault: { kind: 'error-event', afterChunks: 1 },
      text: 'Hello',
      error: () => ({
        retryable: true,
        message: expect.stringMatching(new RegExp(`^${id()} sent an error in its stream: `)),
      }),
    },
    {
      what: 'a malformed chunk arrives after 3 chunks',
      fault: { kind: 'malformed', afterChunks: 3 },
      text: 'Hello from the',
      error: () => ({ code: 'malformed_response', retryable: false }),
    },
  ] satisfies { what: string; fault: Fault; text: string; error: () => object }[])(
    'when $what, then the text so far is followed by its usage and an error event, and no finish',
    async ({ fault, text, error }) => {
      stub().script(fault);
      const result = await run();

      expect(result.error).toBeUndefined();
      expect(result.text).toBe(text);
      expect(result.types).not.toContain('finish');
      expect(result.events.slice(-2)).toEqual([
        { type: 'usage', usage: context.usageSoFar(text, CONTRACT_REQUEST) },
        expect.objectContaining({ type: 'error', ...error() }),
      ]);
    },
  );

  it.each([
    {
      what: 'the connection is cut',
      fault: { kind: 'cut', afterChunks: 0 },
      expected: { code: 'network' },
    },
    {
      what: 'an error event arrives',
      fault: { kind: 'error-event', afterChunks: 0 },
      expected: {},
    },
  ] satisfies { what: string; fault: Fault; expected: object }[])(
    'when $what before any chunk, then it throws a retryable ProviderError',
    async ({ fault, expected }) => {
      stub().script(fault);
      const { error, events } = await run();

      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ provider: id(), isRetryable: true, ...expected });
    },
  );

  it('when the upstream answers 400, then a ProviderError that is not retryable quotes the upstream', async () => {
    stub().script({ kind: 'status', status: 400, message: 'messages: roles must alternate' });
    const { error, events } = await run();

    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      provider: id(),
      status: 400,
      isRetryable: false,
      message: `${id()} answered 400: messages: roles must alternate`,
    });
  });

  it.each([429, 503])(
    'when the upstream answers %i with retry-after, then a retryable ProviderError carries the wait',
    async (status) => {
      stub().script({ kind: 'status', status, retryAfter: 7, message: 'slow down' });
      const { error, events } = await run();

      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({
        provider: id(),
        status,
        retryAfterMs: 7_000,
        isRetryable: true,
        message: `${id()} answered ${status}: slow down`,
      });
    },
  );

  it('when the key is refused, then a 401 ProviderError that is not retryable holds no trace of the key', async () => {
    const { error } = await runProvider(withKey(WRONG_KEY), CONTRACT_REQUEST);

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 401, isRetryable: false });
    expect((error as ProviderError).message).toMatch(new RegExp(`^${id()} answered 401: `));
    // Nor does the cause chain: the SDK error, its headers and body.
    expect(JSON.stringify(error)).not.toContain(WRONG_KEY);
    expect(inspect(error, { depth: 10 })).not.toContain(WRONG_KEY);
  });

  it('when the response headers take longer than connectTimeoutMs, then it throws a retryable timeout and the upstream is cancelled', async () => {
    stub().script({ kind: 'latency', ms: 2_000 });
    const started = Date.now();
    const { error, events } = await run({ connectTimeoutMs: 100 });

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'timeout', status: undefined, isRetryable: true });
    await expectUpstreamCancelled(context);
  });

  it('when the caller aborts before the response headers, then the upstream is cancelled and the stream ends cancelled without throwing', async () => {
    stub().script({ kind: 'latency', ms: 2_000 });
    const { events, error } = await run({ signal: AbortSignal.timeout(50) });

    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'usage', usage: estimateUsage(CONTRACT_REQUEST, '') },
      { type: 'finish', reason: 'cancelled' },
    ]);
    await expectUpstreamCancelled(context);
  });

  it('when the consumer stops reading after the first delta, then the upstream is cancelled', async () => {
    stub().script({ kind: 'chunk-delay', ms: 50 });
    const stream = context.provider().streamChat(CONTRACT_REQUEST, {
      signal: new AbortController().signal,
      connectTimeoutMs: 5_000,
    });
    for await (const event of stream) {
      expect(event.type).toBe('text-delta');
      break;
    }

    await expectUpstreamCancelled(context);
  });
}
