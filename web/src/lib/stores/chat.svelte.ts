// The conversation on screen: sends a message to the chosen model, streams the answer into it,
// stops, regenerates and edits; opens stored conversations; keeps the unsent draft per user.
import {
  childrenOf,
  latestLeaf,
  pathTo,
  shownPath,
  versionsOf,
  withoutTurn,
  type ChatMessage,
  type DeleteTurnResponse,
  type GetConversationResponse,
} from '@colonycraft/protocol';
import { SvelteSet } from 'svelte/reactivity';
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
  /** Keeps which version the stored conversation shows. */
  selectBranch?: (conversationId: string, leafId: string) => Promise<unknown>;
  /** Deletes a stored turn. */
  deleteTurn?: (conversationId: string, questionId: string) => Promise<DeleteTurnResponse>;
  /** After every call: the conversation it went into, if known, and whether it is new. */
  onExchange?: (conversationId: string | undefined, created: boolean) => void;
  draft?: Draft;
  now?: () => number;
  /** Makes a picked, pasted or dropped file ready to send (images.ts), or throws why not. */
  prepareImage?: (file: File, id: string) => Promise<PreparedImage>;
}

type Retry =
  | { kind: 'send'; text: string; images: MessageImage[]; parentId: string | null }
  | { kind: 'regenerate'; questionId: string };

/** A call that failed before any answer arrived: shown beside the composer, with a retry. */
export type PendingFailure = ChatFailure & { retry: Retry };

interface Turn {
  model: string;
  history: ChatMessage[];
  /** The question answered (sent with this turn, or asked before when regenerating). */
  questionId: string;
  replyId: string;
  conversationId: string | undefined;
  /** Where the stored conversation keeps this turn: `parentId` or `regenerates`. */
  placement: { parentId?: string | null; regenerates?: string };
  /** The shown path's end before this turn, shown again if it fails before any answer. */
  previousLeaf: string | undefined;
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
  /**
   * Every message of the conversation, each version of it, in the order written: a tree by
   * `parentId` (branches.ts), of which the chat shows one path.
   */
  all = $state<ConversationMessage[]>([]);
  /** The shown path's last message. */
  leafId = $state<string>();
  /** The conversation as shown: the path to `leafId`. */
  readonly messages: ConversationMessage[] = $derived(shownPath(this.all, this.leafId));
  readonly #children = $derived(childrenOf(this.all));
  /** Why the last delete or version switch failed, in plain words. */
  actionError = $state<UserError>();
  /** Ids the server keeps messages under; others are this screen's own until it says. */
  readonly #stored = new SvelteSet<string>();
  /**
   * The version choice on its way to the server. The next call waits for it: an exchange
   * stored before it would otherwise be hidden by a choice made before the exchange.
   */
  #branchSaved: Promise<unknown> = Promise.resolve();
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
   * the message it follows, which the screen does not know before.
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
   * Sends `text` with `images` after `parentId` (the shown last message, unless given: an
   * edit follows its original's parent); false when there is nothing to send, no model, a reply
   * is running, or the conversation is not loaded.
   */
  send(
    text: string,
    images: readonly MessageImage[] = [],
    parentId: string | null = this.messages.at(-1)?.id ?? null,
  ): boolean {
    const content = text.trim();
    const model = this.#deps.model();
    if ((!content && images.length === 0) || !model || this.streaming || !this.loaded) {
      return false;
    }
    const attached = images.length > 0 ? { images: [...images] } : {};
    const question = { id: newId(), role: 'user' as const, content, parentId, ...attached };
    this.all.push(question);
    this.#run(model, question.id, {
      kind: 'send',
      text: content,
      images: [...images],
      parentId,
    });
    return true;
  }

  /**
   * Answers a question again, beside its earlier answers: the question `target` names (or
   * answers), else the shown last one.
   */
  regenerate(target?: string): boolean {
    const model = this.#deps.model();
    const named = this.all.find((m) => m.id === target);
    const questionId =
      named?.role === 'user'
        ? named.id
        : named
          ? named.parentId
          : this.messages.findLast((m) => m.role === 'user')?.id;
    if (!model || this.streaming || !this.loaded || !questionId) return false;
    this.#run(model, questionId, { kind: 'regenerate', questionId });
    return true;
  }

  /** Sends `text` as another version of a question; the original and its answers stay. */
  editAndResend(messageId: string, text: string): boolean {
    const message = this.all.find((m) => m.id === messageId && m.role === 'user');
    if (message?.role !== 'user' || !text.trim()) return false;
    return this.send(text, message.images, message.parentId ?? null);
  }

  /** A message's versions: how many, and which of them it is (from 0). */
  versions(message: ConversationMessage): { index: number; count: number } {
    const { versions, index } = versionsOf(this.#children, message);
    return { index, count: versions.length };
  }

  /**
   * Shows the version `step` away from `message` (and the newest branch after it), and keeps
   * the choice with the stored conversation.
   */
  showVersion(message: ConversationMessage, step: number): boolean {
    if (this.streaming) return false;
    const { versions, index } = versionsOf(this.#children, message);
    const target = versions[index + step];
    if (!target) return false;
    const leaf = latestLeaf(this.#children, target.id);
    this.leafId = leaf;
    this.actionError = undefined;
    const { conversationId } = this;
    const select = this.#deps.selectBranch;
    if (conversationId && leaf && this.#stored.has(leaf) && select) {
      this.#branchSaved = this.#branchSaved
        .then(() => select(conversationId, leaf))
        .catch((error: unknown) => {
          if (this.conversationId === conversationId) this.actionError = describeError(error);
        });
    }
    return true;
  }

  /**
   * Deletes a turn: the question and every answer to it; what followed follows the turn before.
   * A stored turn goes from the server first, and stays on screen if that fails.
   */
  async deleteTurn(questionId: string): Promise<boolean> {
    if (this.streaming || !withoutTurn(this.all, questionId, this.leafId)) return false;
    const { conversationId } = this;
    this.actionError = undefined;
    let leafId: string | undefined;
    if (conversationId && this.#stored.has(questionId) && this.#deps.deleteTurn) {
      await this.#branchSaved;
      try {
        ({ leafId } = await this.#deps.deleteTurn(conversationId, questionId));
      } catch (error) {
        if (this.conversationId === conversationId) this.actionError = describeError(error);
        return false;
      }
      if (this.conversationId !== conversationId) return true;
    }
    const after = withoutTurn(this.all, questionId, this.leafId);
    if (!after) return true;
    this.all = after.kept.map(({ message, parentId }) => ({ ...message, parentId }));
    this.leafId = leafId ?? after.leafId;
    return true;
  }

  /** Tries the failed call again. */
  retry(): boolean {
    const failure = this.failure;
    if (!failure || this.streaming) return false;
    if (failure.retry.kind === 'regenerate') return this.regenerate(failure.retry.questionId);
    const { text, images, parentId } = failure.retry;
    if (!this.send(text, images, parentId)) return false;
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
      const { conversation, messages, alternatives } = await load(conversationId);
      if (generation !== this.#generation) return;
      // In the order written (a stable sort: the shown path first among equal times).
      // A path that names no parents (a server from before branches) is a line.
      const path = messages.map((m, n) => ({
        ...m,
        parentId: m.parentId === undefined ? (messages[n - 1]?.id ?? null) : m.parentId,
      }));
      const every = [...path, ...alternatives].sort((a, b) => a.createdAt - b.createdAt);
      this.#stored.clear();
      for (const m of every) this.#stored.add(m.id);
      this.all = every.map(fromStored);
      this.leafId = messages.at(-1)?.id;
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
      this.all.length === 0 &&
      this.systemPrompt === this.#defaultSystemPrompt;
    this.#defaultSystemPrompt = prompt;
    if (untouched) this.systemPrompt = prompt;
  }

  #clear(): void {
    this.#generation += 1;
    this.#controller?.abort();
    this.#controller = undefined;
    this.streaming = false;
    this.all = [];
    this.leafId = undefined;
    this.#stored.clear();
    this.actionError = undefined;
    this.conversationId = undefined;
    this.systemPrompt = this.#defaultSystemPrompt;
    this.opening = false;
    this.openError = undefined;
    this.failure = undefined;
  }

  /** Answers the question `questionId`, a message of the conversation, on a new path's end. */
  #run(model: string, questionId: string, retry: Retry): void {
    this.failure = undefined;
    this.actionError = undefined;
    const reply = { ...assistantPlaceholder(newId()), model, parentId: questionId };
    const stored = (id: string | null) => id === null || this.#stored.has(id);
    // Where the server keeps the turn: after a message it has; else (say, a turn stopped before
    // the server named its messages) after what it shows last.
    const placement =
      retry.kind === 'regenerate'
        ? stored(questionId)
          ? { regenerates: questionId }
          : {}
        : stored(retry.parentId)
          ? { parentId: retry.parentId }
          : {};
    const turn: Turn = {
      model,
      history: toHistory(pathTo(this.all, questionId), this.systemPrompt),
      questionId,
      replyId: reply.id,
      conversationId: this.conversationId,
      placement,
      previousLeaf: this.leafId,
      retry,
      controller: new AbortController(),
      generation: this.#generation,
      session: this.#session,
    };
    this.all.push(reply);
    this.leafId = reply.id;
    this.#controller = turn.controller;
    this.streaming = true;
    void this.#answer(turn);
  }

  /** A message takes the id the server keeps it under; its `key` keeps its place on screen. */
  #rename(from: string, to: string): void {
    this.#stored.add(to);
    if (from === to) return;
    this.all = this.all.map((m) =>
      m.id === from
        ? { ...m, id: to, key: m.key ?? from }
        : m.parentId === from
          ? { ...m, parentId: to }
          : m,
    );
    if (this.leafId === from) this.leafId = to;
  }

  #update(id: string, change: (message: AssistantMessage) => AssistantMessage): void {
    const index = this.all.findIndex((m) => m.id === id);
    const message = this.all[index];
    if (message?.role === 'assistant') this.all[index] = change(message);
  }

  async #answer(turn: Turn): Promise<void> {
    const current = () => turn.generation === this.#generation;
    let conversationId = turn.conversationId;
    try {
      await this.#branchSaved;
      const result = await streamRenewingToken(
        this.#deps.call(turn.model),
        this.#deps.token,
        {
          model: turn.model,
          messages: turn.history,
          // The stored conversation follows the screen: the turn goes where it is shown.
          ...(turn.conversationId
            ? { conversationId: turn.conversationId, ...turn.placement }
            : {}),
        },
        {
          signal: turn.controller.signal,
          onEvent: (event) => {
            if (event.type !== 'conversation') {
              this.#update(turn.replyId, (m) => applyStreamEvent(m, event));
              return;
            }
            // Named before the answer: a turn stopped early still continues this conversation,
            // and the next question can follow its answer.
            conversationId ??= event.conversationId;
            if (!current()) return;
            this.conversationId ??= conversationId;
            if (event.questionId && turn.retry.kind === 'send') {
              this.#rename(turn.questionId, event.questionId);
              turn.questionId = event.questionId;
            }
            if (event.answerId) {
              this.#rename(turn.replyId, event.answerId);
              turn.replyId = event.answerId;
            }
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
    // A sent message leaves with its answer; a regenerated answer's question stays.
    const gone = [turn.replyId, ...(turn.retry.kind === 'send' ? [turn.questionId] : [])];
    this.all = this.all.filter((m) => !gone.includes(m.id));
    this.leafId = turn.previousLeaf;
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
  selectBranch: (conversationId, leafId) => gateway.selectBranch(conversationId, leafId),
  deleteTurn: (conversationId, questionId) => gateway.deleteTurn(conversationId, questionId),
  onExchange: (conversationId, created) => void history.afterExchange(conversationId, created),
  draft: new Draft(browserStore('session')),
});
