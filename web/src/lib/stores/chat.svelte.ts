// The conversation on screen: sends a message to the chosen model, streams the answer into it,
// stops, regenerates and edits; opens stored conversations; keeps the unsent draft per user.
import type { ChatMessage, GetConversationResponse } from '@colonycraft/protocol';
import { chatCallableFor } from '../chat-callables.ts';
import { classifyChatError, type ChatFailure } from '../chat-errors.ts';
import {
  applyStreamEvent,
  assistantPlaceholder,
  fromStored,
  settle,
  toHistory,
  withResult,
  type AssistantMessage,
  type ConversationMessage,
  type MessageImage,
} from '../chat-events.ts';
import { providerCallables, streamRenewingToken, type StreamCall } from '../chat-stream.ts';
import { describeError, type UserError } from '../errors.ts';
import { firebase } from '../firebase.ts';
import {
  ImageProblem,
  MAX_MESSAGE_IMAGES,
  canvasCodec,
  prepareImage,
  tooMany,
  type PreparedImage,
} from '../images.ts';
import { browserStore } from '../storage.ts';
import { clientToken } from './client-token.svelte.ts';
import { Draft } from './draft.svelte.ts';
import { gateway } from './gateway.ts';
import { history } from './history.svelte.ts';
import { models } from './models.svelte.ts';

/** Between a failed message put back in the composer and what was already there. */
const DRAFT_SEPARATOR = '\n\n';

let nextId = 0;
const newId = () => `m${(nextId += 1)}`;

/** What the chat needs from the outside world; tests pass fakes. */
export interface ChatDeps {
  /** The streaming callable that serves `model`. */
  call: (model: string) => StreamCall;
  token: { get(): Promise<string>; refresh(): Promise<string> };
  /** The model or alias chosen for the next message, if any. */
  model: () => string | undefined;
  load?: (conversationId: string) => Promise<GetConversationResponse>;
  /** After every call: the conversation it went into, if known, and whether it is new. */
  onExchange?: (conversationId: string | undefined, created: boolean) => void;
  draft?: Draft;
  now?: () => number;
  /** Makes a picked, pasted or dropped file ready to send (images.ts), or throws why not. */
  prepareImage?: (file: File, id: string) => Promise<PreparedImage>;
}

type Retry = { kind: 'send'; text: string; images: MessageImage[] } | { kind: 'regenerate' };

/** A call that failed before any answer arrived: shown beside the composer, with a retry. */
export type PendingFailure = ChatFailure & { retry: Retry };

interface Turn {
  model: string;
  history: ChatMessage[];
  replyId: string;
  conversationId: string | undefined;
  /** How many of the stored conversation's messages this turn builds on (the rest it replaces). */
  replaceFrom: number;
  retry: Retry;
  controller: AbortController;
  generation: number;
  session: number;
}

/** The conversation a failed call's answer went into, from the error's details. */
function conversationIdOf(error: unknown): string | undefined {
  const details = (error as { details?: { conversationId?: unknown } } | null)?.details;
  return typeof details?.conversationId === 'string' ? details.conversationId : undefined;
}

export class ChatStore {
  messages = $state<ConversationMessage[]>([]);
  streaming = $state(false);
  /** The stored conversation on screen; none for a new chat until its first answer. */
  conversationId = $state<string>();
  systemPrompt = $state('');
  /** What a new chat's system prompt starts as: the person's default (Settings). */
  #defaultSystemPrompt = '';
  opening = $state(false);
  openError = $state<UserError>();
  failure = $state<PendingFailure>();
  /** The message being written. */
  readonly draft: Draft;
  /** The images the message being written carries, ready to send. */
  images = $state<MessageImage[]>([]);
  /** Why the last image could not be attached, in plain words. */
  imageError = $state<string>();
  /** Images being made ready. */
  preparing = $state(0);
  #controller: AbortController | undefined;
  #deps: ChatDeps;
  /** Bumped whenever another conversation replaces this one, so late answers are dropped. */
  #generation = 0;
  /**
   * Bumped by reset (sign-out) only. A turn stopped by New chat or by opening another
   * conversation still tells History about its conversation, which the server kept for the
   * same user; one from before a sign-out must not, as History is reset and nobody is signed in.
   */
  #session = 0;

  constructor(deps: ChatDeps) {
    this.#deps = deps;
    this.draft = deps.draft ?? new Draft();
  }

  /**
   * The stored conversation on screen is all there. Until then nothing is sent: a call names
   * the conversation and how many of its messages it builds on, so one sent while it loads (or
   * after it failed to) would replace every stored message the screen has not shown.
   */
  get loaded(): boolean {
    return !this.opening && !this.openError;
  }

  /** Sends the draft and its images; they are cleared once sent and come back if the call fails. */
  submit(): boolean {
    if (this.preparing > 0 || !this.send(this.draft.text, this.images)) return false;
    this.draft.text = '';
    this.images = [];
    this.imageError = undefined;
    return true;
  }

  /**
   * Makes files ready to go with the next message, in order; one that cannot go (its type, its
   * size, one too many) is left out and `imageError` says why.
   */
  async attach(files: readonly File[]): Promise<void> {
    const prepare =
      this.#deps.prepareImage ?? ((file, id) => prepareImage(file, canvasCodec(), id));
    this.imageError = undefined;
    for (const file of files) {
      if (this.images.length + this.preparing >= MAX_MESSAGE_IMAGES) {
        this.imageError = tooMany();
        return;
      }
      this.preparing += 1;
      try {
        const { id, mediaType, data, name } = await prepare(file, newId());
        this.images.push({ id, mediaType, data, name });
      } catch (error) {
        this.imageError =
          error instanceof ImageProblem
            ? error.message
            : `This image could not be read: ${file.name}.`;
      } finally {
        this.preparing -= 1;
      }
    }
  }

  /** Takes an image off the message being written. */
  removeImage(id: string): void {
    this.images = this.images.filter((image) => image.id !== id);
    this.imageError = undefined;
  }

  /**
   * Sends `text` with `images`; false when there is nothing to send, no model, a reply is
   * running, or the conversation is not loaded.
   */
  send(text: string, images: readonly MessageImage[] = []): boolean {
    const content = text.trim();
    const model = this.#deps.model();
    if ((!content && images.length === 0) || !model || this.streaming || !this.loaded) {
      return false;
    }
    const attached = images.length > 0 ? { images: [...images] } : {};
    this.messages.push({ id: newId(), role: 'user', content, ...attached });
    this.#run(model, { kind: 'send', text: content, images: [...images] });
    return true;
  }

  /** Answers the last user message again, replacing the answer after it. */
  regenerate(): boolean {
    const model = this.#deps.model();
    const last = this.messages.findLastIndex((m) => m.role === 'user');
    if (!model || this.streaming || !this.loaded || last < 0) return false;
    this.messages = this.messages.slice(0, last + 1);
    this.#run(model, { kind: 'regenerate' });
    return true;
  }

  /** Replaces a user message with `text` and sends it; what followed it is dropped here. */
  editAndResend(messageId: string, text: string): boolean {
    const index = this.messages.findIndex((m) => m.id === messageId && m.role === 'user');
    if (index < 0 || !text.trim() || !this.#deps.model() || this.streaming || !this.loaded) {
      return false;
    }
    const images = this.messages[index]?.role === 'user' ? this.messages[index].images : undefined;
    this.messages = this.messages.slice(0, index);
    return this.send(text, images);
  }

  /** Tries the failed call again. */
  retry(): boolean {
    const failure = this.failure;
    if (!failure || this.streaming) return false;
    if (failure.retry.kind === 'regenerate') return this.regenerate();
    const { text, images } = failure.retry;
    if (!this.send(text, images)) return false;
    if (images.length > 0) this.images = this.images.filter((i) => !images.includes(i));
    // Take back what the failure put in the composer, if it is still there as it was put.
    const draft = this.draft.text;
    if (draft.trim() === text) this.draft.text = '';
    else if (draft.startsWith(`${text}${DRAFT_SEPARATOR}`)) {
      this.draft.text = draft.slice(text.length + DRAFT_SEPARATOR.length);
    }
    return true;
  }

  /** Stops the answer being streamed; the text so far stays. */
  stop(): void {
    this.#controller?.abort();
  }

  /** Shows a stored conversation; already showing it (say, just started here) is a no-op. */
  async open(conversationId: string): Promise<void> {
    if (this.conversationId === conversationId && !this.openError) return;
    this.#clear();
    this.conversationId = conversationId;
    const load = this.#deps.load;
    if (!load) return;
    const generation = this.#generation;
    this.opening = true;
    try {
      const { conversation, messages } = await load(conversationId);
      if (generation !== this.#generation) return;
      this.messages = messages.map(fromStored);
      this.systemPrompt = conversation.systemPrompt ?? '';
    } catch (error) {
      if (generation !== this.#generation) return;
      this.openError = describeError(error);
    } finally {
      if (generation === this.#generation) this.opening = false;
    }
  }

  /** An empty chat; the next message starts a new conversation. */
  startNew(): void {
    this.#clear();
  }

  /** Forgets the conversation (on sign-out). */
  reset(): void {
    this.#session += 1;
    this.images = [];
    this.imageError = undefined;
    this.#clear();
  }

  /**
   * Sets the system prompt new chats start with; a new chat on screen whose prompt was not
   * changed from the old default takes the new one at once.
   */
  useDefaultSystemPrompt(prompt: string): void {
    const untouched =
      this.conversationId === undefined &&
      this.messages.length === 0 &&
      this.systemPrompt === this.#defaultSystemPrompt;
    this.#defaultSystemPrompt = prompt;
    if (untouched) this.systemPrompt = prompt;
  }

  #clear(): void {
    this.#generation += 1;
    this.#controller?.abort();
    this.#controller = undefined;
    this.streaming = false;
    this.messages = [];
    this.conversationId = undefined;
    this.systemPrompt = this.#defaultSystemPrompt;
    this.opening = false;
    this.openError = undefined;
    this.failure = undefined;
  }

  #run(model: string, retry: Retry): void {
    this.failure = undefined;
    const reply = { ...assistantPlaceholder(newId()), model };
    const turn: Turn = {
      model,
      history: toHistory(this.messages, this.systemPrompt),
      replyId: reply.id,
      conversationId: this.conversationId,
      // Every message on screen is stored, in order; the one being answered is the last.
      replaceFrom: this.messages.length - 1,
      retry,
      controller: new AbortController(),
      generation: this.#generation,
      session: this.#session,
    };
    this.messages.push(reply);
    this.#controller = turn.controller;
    this.streaming = true;
    void this.#answer(turn);
  }

  #update(id: string, change: (message: AssistantMessage) => AssistantMessage): void {
    const index = this.messages.findIndex((m) => m.id === id);
    const message = this.messages[index];
    if (message?.role === 'assistant') this.messages[index] = change(message);
  }

  async #answer(turn: Turn): Promise<void> {
    const current = () => turn.generation === this.#generation;
    let conversationId = turn.conversationId;
    try {
      const result = await streamRenewingToken(
        this.#deps.call(turn.model),
        this.#deps.token,
        {
          model: turn.model,
          messages: turn.history,
          // The stored conversation follows the screen: a regenerated or edited turn, or one
          // after a failure that left the screen, replaces what the server kept after it.
          ...(turn.conversationId
            ? { conversationId: turn.conversationId, replaceFrom: turn.replaceFrom }
            : {}),
        },
        {
          signal: turn.controller.signal,
          onEvent: (event) => {
            if (event.type !== 'conversation') {
              this.#update(turn.replyId, (m) => applyStreamEvent(m, event));
              return;
            }
            // Named before the answer: a turn stopped early still continues this conversation.
            conversationId ??= event.conversationId;
            if (current()) this.conversationId ??= conversationId;
          },
        },
      );
      this.#update(turn.replyId, (m) => withResult(settle(m), result));
      conversationId ??= result?.conversationId;
      if (current()) this.conversationId ??= conversationId;
    } catch (error) {
      // A failed answer was still kept in a conversation (a new one, for a first message); the
      // error says which, so the next message continues it rather than starting another.
      conversationId ??= conversationIdOf(error);
      if (current()) this.conversationId ??= conversationId;
      if (turn.controller.signal.aborted) {
        this.#update(turn.replyId, (m) =>
          m.status === 'streaming' ? { ...m, status: 'stopped' } : m,
        );
      } else if (current()) {
        this.#failed(turn, error);
      }
    } finally {
      if (this.#controller === turn.controller) {
        this.#controller = undefined;
        this.streaming = false;
      }
      if (turn.session === this.#session) {
        this.#deps.onExchange?.(conversationId, !turn.conversationId && Boolean(conversationId));
      }
    }
  }

  /**
   * Before any text, the failed exchange leaves the conversation and the message goes back into
   * the composer, so nothing typed is lost; after some text, the partial answer stays, marked.
   */
  #failed(turn: Turn, error: unknown): void {
    const failure = classifyChatError(error, (this.#deps.now ?? Date.now)());
    const reply = this.messages.find((m) => m.id === turn.replyId);
    if (reply && reply.content.length > 0) {
      this.#update(turn.replyId, (m) =>
        m.status === 'error' ? m : { ...m, status: 'error', error: failure.error },
      );
      return;
    }
    const index = this.messages.findIndex((m) => m.id === turn.replyId);
    // A sent message leaves with its answer; a regenerated answer's question stays.
    const from = turn.retry.kind === 'send' && index > 0 ? index - 1 : index;
    if (index >= 0) this.messages = this.messages.slice(0, from);
    if (turn.retry.kind === 'send') {
      // The composer may hold something else by now (say, the message was edited in place and
      // the composer has a new one): the failed text goes before it, and retry takes it back.
      const draft = this.draft.text;
      const text = turn.retry.text;
      this.draft.text = draft.trim() ? `${text}${DRAFT_SEPARATOR}${draft}` : text;
      // Its images go back too, before any attached since, as many as a message may carry.
      const back = [...turn.retry.images, ...this.images];
      this.images = back.slice(0, MAX_MESSAGE_IMAGES);
    }
    this.failure = { ...failure, retry: turn.retry };
  }
}

export const chat = new ChatStore({
  call: providerCallables(() => firebase().functions, chatCallableFor),
  token: clientToken,
  model: () => models.selected,
  load: (conversationId) => gateway.getConversation(conversationId),
  onExchange: (conversationId, created) => void history.afterExchange(conversationId, created),
  draft: new Draft(browserStore('session')),
});
