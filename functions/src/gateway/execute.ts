// Runs one chat call across its targets: retries with backoff on a retryable failure before
// the first byte, then falls back to the next target; enforces the first-token and total
// timeouts. Once an event has gone to the client there is no retry: a failure after that
// point reaches the client as an explicit `error` event.
import type { StreamEvent } from '@colonycraft/protocol';
import {
  ProviderError,
  type ModelInfo,
  type Provider,
  type ProviderRequest,
} from '../providers/provider.js';
import { retryDelay, type CallPolicy } from './policy.js';

export interface Target {
  /** `provider/model` */
  id: string;
  provider: string;
  model: string;
  info: ModelInfo;
}

export interface ExecuteDeps {
  loadProvider(id: string): Promise<Provider>;
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  random?(): number;
}

export interface ExecuteOptions {
  policy: CallPolicy;
  /** The client's: aborted when it goes away. */
  signal: AbortSignal;
  /** Told which target is answering, once its first event has arrived. */
  onRoute?(target: Target, attempt: number): void;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

type Attempt =
  | { kind: 'answered'; first: StreamEvent; rest: AsyncIterator<StreamEvent> }
  | { kind: 'failed'; error: ProviderError };

export async function* executeChat(
  targets: readonly Target[],
  request: Omit<ProviderRequest, 'model'>,
  options: ExecuteOptions,
  deps: ExecuteDeps,
): AsyncGenerator<StreamEvent> {
  const { policy, signal } = options;
  // A timer cleared when the call ends, not AbortSignal.timeout: that one keeps the call's
  // signals, and all that listens to them, alive until it fires, minutes after the answer.
  const total = new AbortController();
  const timer = setTimeout(() => total.abort(), policy.totalTimeoutMs);
  let answered: boolean;
  try {
    answered = yield* attempts(
      targets,
      request,
      options,
      deps,
      AbortSignal.any([signal, total.signal]),
    );
  } finally {
    clearTimeout(timer);
  }
  if (answered) return;
  if (signal.aborted) {
    yield { type: 'usage', usage: { inputTokens: 0, outputTokens: 0, estimated: true } };
    yield { type: 'finish', reason: 'cancelled' };
    return;
  }
  if (total.signal.aborted) {
    throw new ProviderError(
      targets.at(-1)?.provider ?? 'gateway',
      `No answer within ${policy.totalTimeoutMs} ms.`,
      { code: 'timeout' },
    );
  }
}

/**
 * Tries each target in turn, with retries, until one answers (then relays its answer and
 * returns true); returns false when the call's signal ended it (the caller says why), and
 * throws the last failure otherwise.
 */
async function* attempts(
  targets: readonly Target[],
  request: Omit<ProviderRequest, 'model'>,
  options: ExecuteOptions,
  deps: ExecuteDeps,
  callSignal: AbortSignal,
): AsyncGenerator<StreamEvent, boolean> {
  const { policy, signal } = options;
  const sleep = deps.sleep ?? abortableSleep;
  const random = deps.random ?? Math.random;
  let lastError: ProviderError | undefined;

  for (const target of targets) {
    const provider = await deps.loadProvider(target.provider);
    for (let attempt = 0; attempt <= policy.maxRetries; attempt += 1) {
      if (callSignal.aborted) break;
      const outcome = await startAttempt(provider, target, request, policy, callSignal, signal);
      if (outcome.kind === 'answered') {
        options.onRoute?.(target, attempt);
        yield outcome.first;
        yield* relay(outcome.rest, signal, policy);
        return true;
      }
      lastError = outcome.error;
      if (!outcome.error.isRetryable) throw outcome.error;
      if (attempt === policy.maxRetries) break;
      const delay = retryDelay(policy, attempt, outcome.error.retryAfterMs, random);
      if (delay === undefined) break; // asked to wait longer than we will: try the next target
      await sleep(delay, callSignal);
    }
  }
  if (callSignal.aborted) return false;
  throw lastError ?? new ProviderError('gateway', 'No model could answer.', { code: 'network' });
}

/** Sends the request and waits for its first event, within the first-token timeout. */
async function startAttempt(
  provider: Provider,
  target: Target,
  request: Omit<ProviderRequest, 'model'>,
  policy: CallPolicy,
  callSignal: AbortSignal,
  clientSignal: AbortSignal,
): Promise<Attempt> {
  const firstToken = new AbortController();
  const timer = setTimeout(() => firstToken.abort(), policy.firstTokenTimeoutMs);
  const signal = AbortSignal.any([callSignal, firstToken.signal]);
  const stream = provider.streamChat(
    { ...request, model: target.model },
    { signal, connectTimeoutMs: policy.connectTimeoutMs },
  );
  const iterator = stream[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    const timedOut = !clientSignal.aborted && (firstToken.signal.aborted || callSignal.aborted);
    if (timedOut || first.done) {
      await iterator.return?.();
      const why = first.done ? 'ended without an answer' : 'sent nothing in time';
      return {
        kind: 'failed',
        error: new ProviderError(target.provider, `${target.provider} ${why}.`, {
          code: first.done ? 'network' : 'timeout',
        }),
      };
    }
    return { kind: 'answered', first: first.value, rest: iterator };
  } catch (error) {
    if (error instanceof ProviderError) return { kind: 'failed', error };
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Passes the rest of the stream on. A cancellation the client did not ask for is the total
 * timeout: the client gets an error event instead of a quiet finish.
 */
async function* relay(
  rest: AsyncIterator<StreamEvent>,
  clientSignal: AbortSignal,
  policy: CallPolicy,
): AsyncGenerator<StreamEvent> {
  for (let next = await rest.next(); !next.done; next = await rest.next()) {
    const event = next.value;
    if (event.type === 'finish' && event.reason === 'cancelled' && !clientSignal.aborted) {
      yield {
        type: 'error',
        code: 'timeout',
        message: `The answer took longer than ${policy.totalTimeoutMs} ms and was cut off.`,
        retryable: true,
      };
      return;
    }
    yield event;
  }
}
