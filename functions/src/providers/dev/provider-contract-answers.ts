// The provider contract's cases for what an answer holds beyond text: tool calls streamed in
// fragments and put back together byte for byte, a stream cut (or cancelled) inside a call's
// arguments, and reasoning kept apart from the text. provider-contract.ts runs them for every
// adapter over an upstream, against replies scripted on the provider stub; the local provider
// declares no capabilities (no tools, no reasoning), so it has nothing to show here.
import { expect, it } from 'vitest';
import type { StreamEvent, ToolCall, Usage } from '@colonycraft/protocol';
import {
  countStubTokens,
  splitStubChunks,
  splitStubFragments,
  type ProviderStub,
} from '@colonycraft/testing';
import type { Provider, ProviderCallOptions, ProviderRequest } from '../provider.js';
import type { ProviderRun } from './provider-contract.js';

export interface AnswerCasesContext {
  provider(): Provider;
  stub(): ProviderStub;
  /** What the cases ask, with tools or reasoning added. */
  request: ProviderRequest;
  /** The stub's input count for `request`'s messages (tools are not counted). */
  inputTokens: number;
  run(request: ProviderRequest, options?: Partial<ProviderCallOptions>): Promise<ProviderRun>;
  /** The usage after a cut or an abort, given all the answer produced so far. */
  usageSoFar(produced: string, request: ProviderRequest): Usage;
}

const TEXT = 'Let me look both up.';
/**
 * Arguments a translation must pass on as they came: escaped quotes, a `\u` escape and a `\n`
 * escape (which a parse and re-serialise would change), and characters beyond ASCII, among them
 * a surrogate pair and a joined emoji that fragments may split.
 */
const WEATHER = {
  id: 'call_weather_0',
  name: 'get_weather',
  arguments: '{"city":"Zürich","note":"say \\"grüezi\\" — 東京 🌦","raw":"caf\\u00e9\\n"}',
};
const NOTES = {
  id: 'call_notes_1',
  name: 'search_notes',
  arguments: '{"query":"👩‍💻 \\"tabs\\" vs spaces","limit":3,"tags":["a","b"]}',
};
const REASONING = 'Primary colours of paint: red, yellow and blue.';
const ANSWER = 'Red, yellow, blue.';

/**
 * The tool calls of a stream, put together by index from their events, each with where it
 * started and ended; a delta outside its call's start and end fails the test.
 */
function toolCallsOf(events: readonly StreamEvent[]) {
  const calls: (ToolCall & { startedAt: number; endedAt: number | undefined })[] = [];
  for (const [at, event] of events.entries()) {
    if (event.type === 'tool-call-start') {
      expect(calls[event.index], `tool call ${event.index} started twice`).toBeUndefined();
      const { id, name } = event;
      calls[event.index] = { id, name, arguments: '', startedAt: at, endedAt: undefined };
      continue;
    }
    if (event.type !== 'tool-call-delta' && event.type !== 'tool-call-end') continue;
    const call = calls[event.index];
    if (!call) throw new Error(`event ${at} (${event.type}) comes before its call started`);
    expect(call.endedAt, `event ${at} (${event.type}) comes after its call ended`).toBeUndefined();
    if (event.type === 'tool-call-delta') call.arguments += event.argumentsDelta;
    else call.endedAt = at;
  }
  return calls;
}

/** The indexes of the tool calls in the order of their events of one type. */
const indexesOf = (events: readonly StreamEvent[], type: 'tool-call-start' | 'tool-call-end') =>
  events.flatMap((e) => (e.type === type ? [e.index] : []));

/** All an answer produced, as the kit counts it for an estimate: text, reasoning, names, arguments. */
function producedBy(events: readonly StreamEvent[]): string {
  return events
    .map((e) => {
      if (e.type === 'text-delta' || e.type === 'reasoning-delta') return e.text;
      if (e.type === 'tool-call-start') return e.name;
      return e.type === 'tool-call-delta' ? e.argumentsDelta : '';
    })
    .join('');
}

export function answerCases(context: AnswerCasesContext): void {
  const withTools: ProviderRequest = {
    ...context.request,
    tools: [
      {
        name: 'get_weather',
        description: 'The weather in a city.',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
        },
      },
      { name: 'search_notes', parameters: { type: 'object', properties: {} } },
    ],
  };

  it('when an answer holds text and two tool calls, then each call starts, streams and ends in order, with its id and its arguments byte for byte, then usage, then finish tool-calls', async () => {
    context.stub().reply({ text: TEXT, toolCalls: [WEATHER, NOTES] });
    const { events, text, error, types } = await context.run(withTools);

    expect(error).toBeUndefined();
    expect(text).toBe(TEXT);
    const calls = toolCallsOf(events);
    expect(calls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args }))).toEqual([
      WEATHER,
      NOTES,
    ]);
    // The text first; the calls start in order and end in order (Anthropic ends each before
    // the next starts; OpenAI, which has no end mark per call, ends them all with the answer).
    expect(types.lastIndexOf('text-delta')).toBeLessThan(calls[0]!.startedAt);
    expect(indexesOf(events, 'tool-call-start')).toEqual([0, 1]);
    expect(indexesOf(events, 'tool-call-end')).toEqual([0, 1]);
    // Streamed in fragments, not in one piece.
    expect(types.filter((type) => type === 'tool-call-delta')).toHaveLength(
      splitStubFragments(WEATHER.arguments).length + splitStubFragments(NOTES.arguments).length,
    );
    expect(events.slice(types.lastIndexOf('tool-call-end') + 1)).toEqual([
      {
        type: 'usage',
        usage: {
          inputTokens: context.inputTokens,
          outputTokens: countStubTokens([TEXT, WEATHER.arguments, NOTES.arguments].join('\n')),
          estimated: false,
        },
      },
      { type: 'finish', reason: 'tool-calls' },
    ]);
  });

  it('when the stream is cut inside the second call’s arguments, then the usage so far and an error event end it, with that call not ended and no finish', async () => {
    context.stub().reply({ text: TEXT, toolCalls: [WEATHER, NOTES] });
    const chunksBefore =
      splitStubChunks(TEXT).length + splitStubFragments(WEATHER.arguments).length;
    context.stub().script({ kind: 'cut', afterChunks: chunksBefore + 2 });
    const { events, text, error, types } = await context.run(withTools);

    expect(error).toBeUndefined();
    expect(text).toBe(TEXT);
    const [first, second] = toolCallsOf(events);
    expect(first).toMatchObject(WEATHER);
    expect(second).toMatchObject({
      id: NOTES.id,
      name: NOTES.name,
      arguments: splitStubFragments(NOTES.arguments).slice(0, 2).join(''),
      endedAt: undefined,
    });
    expect(types).not.toContain('finish');
    expect(events.slice(-2)).toEqual([
      { type: 'usage', usage: context.usageSoFar(producedBy(events), withTools) },
      expect.objectContaining({ type: 'error', code: 'network', retryable: true }),
    ]);
  });

  it('when the caller aborts inside a call’s arguments, then that call is not ended and the stream ends with the usage so far and finish cancelled', async () => {
    context.stub().reply({ text: '', toolCalls: [WEATHER] });
    context.stub().script({ kind: 'chunk-delay', ms: 20 });
    const controller = new AbortController();
    const events: StreamEvent[] = [];
    const stream = context.provider().streamChat(withTools, {
      signal: controller.signal,
      connectTimeoutMs: 5_000,
    });
    for await (const event of stream) {
      events.push(event);
      if (event.type === 'tool-call-delta') controller.abort();
    }

    const [started, delta, ...rest] = events;
    expect(started).toEqual({
      type: 'tool-call-start',
      index: 0,
      id: WEATHER.id,
      name: WEATHER.name,
    });
    expect(delta).toEqual({
      type: 'tool-call-delta',
      index: 0,
      argumentsDelta: splitStubFragments(WEATHER.arguments)[0],
    });
    expect(rest).toEqual([
      { type: 'usage', usage: context.usageSoFar(producedBy(events), withTools) },
      { type: 'finish', reason: 'cancelled' },
    ]);
  });

  // Anthropic streams thinking only when the request enabled it, so the reasoning arriving at
  // all shows that the adapter turned the request's reasoning settings into the upstream's.
  it('when the answer reasons first, then the reasoning comes as reasoning deltas before the text, never in it, and its tokens are in the usage', async () => {
    const reasoning: ProviderRequest = { ...context.request, reasoning: { effort: 'low' } };
    context.stub().reply({ reasoning: REASONING, text: ANSWER });
    const { events, text, error } = await context.run(reasoning);

    expect(error).toBeUndefined();
    expect(text).toBe(ANSWER);
    const thought = events.map((e) => (e.type === 'reasoning-delta' ? e.text : '')).join('');
    expect(thought).toBe(REASONING);
    // A provider that signs its reasoning (Anthropic) adds the signature; it is not content.
    const types = events.map((e) => e.type).filter((type) => type !== 'reasoning-signature');
    const reasoningDeltas = splitStubChunks(REASONING).length;
    const textDeltas = splitStubChunks(ANSWER).length;
    expect(types).toEqual([
      ...Array<string>(reasoningDeltas).fill('reasoning-delta'),
      ...Array<string>(textDeltas).fill('text-delta'),
      'usage',
      'finish',
    ]);
    const reasoningTokens = countStubTokens(REASONING);
    expect(events.slice(-2)).toEqual([
      {
        type: 'usage',
        usage: {
          inputTokens: context.inputTokens,
          outputTokens: countStubTokens(ANSWER) + reasoningTokens,
          reasoningTokens,
          estimated: false,
        },
      },
      { type: 'finish', reason: 'stop' },
    ]);
  });
}
