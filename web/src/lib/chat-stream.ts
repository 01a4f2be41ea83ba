// Streams one chat answer from a provider's callable: sends the request with the client token,
// validates every chunk, and hands each event to the caller as it arrives.
import { ChatResult, type ChatChunk, type ChatMessage } from '@colonycraft/protocol';
import { httpsCallable, type Functions, type HttpsCallableStreamResult } from 'firebase/functions';
import { parseChunk } from './chat-events.ts';

export interface ChatCallData {
  clientToken: string;
  /** A model id (`provider/model`) or an alias. */
  model: string;
  messages: ChatMessage[];
  /** Continue this stored conversation; without it the server starts a new one. */
  conversationId?: string;
  /** With `conversationId`: the stored message this turn's question follows (null: the first). */
  parentId?: string | null;
  /** With `conversationId`: the stored question this turn answers again. */
  regenerates?: string;
}

/** The streaming half of an `httpsCallable`, as a parameter so tests can pass a fake. */
export type StreamCall = (
  data: ChatCallData,
  options: { signal: AbortSignal },
) => Promise<HttpsCallableStreamResult<unknown, unknown>>;

/** The streaming call of the callable `name`, for example `chatBy-local`. */
export function callableStream(functions: Functions, name: string): StreamCall {
  const callable = httpsCallable<ChatCallData, unknown, unknown>(functions, name);
  return (data, options) => callable.stream(data, options);
}

/** The streaming call serving each model, made once per callable name. */
export function providerCallables(
  functions: () => Functions,
  callableFor: (model: string) => string,
): (model: string) => StreamCall {
  const made = new Map<string, StreamCall>();
  return (model) => {
    const name = callableFor(model);
    let call = made.get(name);
    if (!call) made.set(name, (call = callableStream(functions(), name)));
    return call;
  };
}

/** How long to wait for the final result once the stream has ended. */
const RESULT_GRACE_MS = 5_000;

/**
 * Runs the call to its end. Resolves with the final `ChatResult` (or `undefined` when the server
 * sent none); rejects with the SDK's error, `functions/cancelled` when `signal` was aborted.
 */
export async function streamChat(
  call: StreamCall,
  data: ChatCallData,
  options: { signal: AbortSignal; onEvent: (event: ChatChunk) => void },
): Promise<ChatResult | undefined> {
  const { stream, data: result } = await call(data, { signal: options.signal });
  // The SDK rejects `data` too when the stream fails; that rejection is reported through the
  // stream, so this one must not surface as unhandled.
  result.catch(() => undefined);
  for await (const chunk of stream) {
    options.onEvent(parseChunk(chunk));
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), RESULT_GRACE_MS);
  });
  try {
    const final = await Promise.race([result, grace]);
    if (final === undefined) return undefined;
    const parsed = ChatResult.safeParse(final);
    return parsed.success ? parsed.data : undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** Where a fresh client token comes from. */
export interface TokenSource {
  get(): Promise<string>;
  refresh(): Promise<string>;
}

/**
 * `streamChat` with the current client token. A token refused before any output (expired while
 * the tab slept, or a rotated signing key) is renewed once, silently, and the call retried.
 */
export async function streamRenewingToken(
  call: StreamCall,
  token: TokenSource,
  data: Omit<ChatCallData, 'clientToken'>,
  options: { signal: AbortSignal; onEvent: (event: ChatChunk) => void },
): Promise<ChatResult | undefined> {
  let received = false;
  const run = async (clientToken: string) =>
    streamChat(
      call,
      { clientToken, ...data },
      {
        signal: options.signal,
        onEvent: (event) => {
          received = true;
          options.onEvent(event);
        },
      },
    );
  try {
    return await run(await token.get());
  } catch (error) {
    const unauthenticated =
      (error as { code?: unknown } | null)?.code === 'functions/unauthenticated';
    if (!unauthenticated || received || options.signal.aborted) throw error;
    return await run(await token.refresh());
  }
}
