// The conversation on screen: sends a message, streams the answer into it, stops on request.
import type { ChatMessage, ChatResult, ModelId } from '@colonycraft/protocol';
import {
  applyStreamEvent,
  assistantPlaceholder,
  settle,
  toHistory,
  type AssistantMessage,
  type ConversationMessage,
} from '../chat-events.ts';
import { callableStream, streamChat, type StreamCall } from '../chat-stream.ts';
import { describeError } from '../errors.ts';
import { firebase } from '../firebase.ts';
import { clientToken } from './client-token.svelte.ts';

/** The keyless built-in model; later slices let the person choose. */
export const CHAT_MODEL: ModelId = 'local/echo';
const CHAT_CALLABLE = 'chatLocal';

function isUnauthenticated(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'functions/unauthenticated';
}

let nextId = 0;
const newId = () => `m${(nextId += 1)}`;

/** What the chat needs from the outside world; tests pass fakes. */
export interface ChatDeps {
  /** The streaming callable of the chat model. */
  call: () => StreamCall;
  token: { get(): Promise<string>; refresh(): Promise<string> };
}

export class ChatStore {
  messages = $state<ConversationMessage[]>([]);
  streaming = $state(false);
  #controller: AbortController | undefined;
  #deps: ChatDeps;

  constructor(deps: ChatDeps) {
    this.#deps = deps;
  }

  /** Sends `text` and streams the answer; false when there is nothing to send or a reply is running. */
  send(text: string): boolean {
    const content = text.trim();
    if (!content || this.streaming) return false;
    const question: ConversationMessage = { id: newId(), role: 'user', content };
    const reply = assistantPlaceholder(newId());
    const history = toHistory([...this.messages, question]);
    this.messages.push(question, reply);
    const controller = new AbortController();
    this.#controller = controller;
    this.streaming = true;
    void this.#answer(reply.id, history, controller);
    return true;
  }

  /** Stops the answer being streamed; the text so far stays. */
  stop(): void {
    this.#controller?.abort();
  }

  /** Forgets the conversation (on sign-out). */
  reset(): void {
    this.stop();
    this.messages = [];
  }

  async #answer(id: string, history: ChatMessage[], controller: AbortController): Promise<void> {
    const update = (change: (message: AssistantMessage) => AssistantMessage) => {
      const index = this.messages.findIndex((m) => m.id === id);
      const message = this.messages[index];
      if (message?.role === 'assistant') this.messages[index] = change(message);
    };
    try {
      const result = await this.#stream(history, controller.signal, (event) =>
        update((m) => applyStreamEvent(m, event)),
      );
      update((m) => withResult(settle(m), result));
    } catch (error) {
      if (controller.signal.aborted) {
        update((m) => (m.status === 'streaming' ? { ...m, status: 'stopped' } : m));
      } else {
        // An error event already in the stream says more than the call's closing error.
        update((m) =>
          m.status === 'error' ? m : { ...m, status: 'error', error: describeError(error) },
        );
      }
    } finally {
      if (this.#controller === controller) {
        this.#controller = undefined;
        this.streaming = false;
      }
    }
  }

  async #stream(
    history: ChatMessage[],
    signal: AbortSignal,
    onEvent: Parameters<typeof streamChat>[2]['onEvent'],
  ): Promise<ChatResult | undefined> {
    const call = this.#deps.call();
    let received = false;
    const run = async (token: string) =>
      streamChat(
        call,
        { clientToken: token, model: CHAT_MODEL, messages: history },
        {
          signal,
          onEvent: (event) => {
            received = true;
            onEvent(event);
          },
        },
      );
    try {
      return await run(await this.#deps.token.get());
    } catch (error) {
      // A token refused before any output (expired while the tab slept, or a rotated signing
      // key) is renewed once, silently.
      if (!isUnauthenticated(error) || received || signal.aborted) throw error;
      return await run(await this.#deps.token.refresh());
    }
  }
}

function withResult(message: AssistantMessage, result: ChatResult | undefined): AssistantMessage {
  if (!result) return message;
  return {
    ...message,
    content: message.content || result.text,
    usage: message.usage ?? result.usage,
    finishReason: message.finishReason ?? result.finishReason,
  };
}

export const chat = new ChatStore({
  call: () => callableStream(firebase().functions, CHAT_CALLABLE),
  token: clientToken,
});
