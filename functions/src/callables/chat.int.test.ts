// The web's chat callables with the real firebase client SDK, against the gateway hosted as
// on Cloud Run, the provider stub upstream and conversations kept in the Firestore emulator.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { getFunctions, httpsCallableFromURL, type Functions } from 'firebase/functions';
import {
  ChatResult,
  DeleteTurnResponse,
  GetConversationResponse,
  ListModelsResponse,
  ChatChunk,
} from '@colonycraft/protocol';
import { stubReply } from '@colonycraft/testing';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';

let gw: GatewayFixture;
let app: FirebaseApp;
let functions: Functions;
let token: string;

beforeAll(async () => {
  gw = await startGatewayFixture();
  token = await gw.token();
  app = initializeApp(
    { apiKey: 'demo-api-key', projectId: 'demo-colonycraft' },
    `chat-callables-${Date.now()}`,
  );
  functions = getFunctions(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await gw?.stop();
});

beforeEach(() => gw.stub.reset());

const call = <T = unknown>(name: string) =>
  httpsCallableFromURL<unknown, T, unknown>(functions, `${gw.url}${name}`);

async function stream(name: string, data: Record<string, unknown>) {
  const { stream, data: result } = await call(name).stream({ clientToken: token, ...data });
  const events: ChatChunk[] = [];
  let error: unknown;
  try {
    for await (const chunk of stream) events.push(ChatChunk.parse(chunk));
  } catch (e) {
    error = e;
  }
  const final = await result.then(
    (r) => ChatResult.parse(r),
    (e: unknown) => e,
  );
  return { events, final, error };
}

const ask = (content: string) => ({ role: 'user', content });

/** A call expected to answer: its events and its result. */
async function answered(name: string, data: Record<string, unknown>) {
  const { events, final } = await stream(name, data);
  return { events, final: ChatResult.parse(final) };
}

/** Where the call's exchange is kept, as its first chunk says. */
function placed(events: readonly ChatChunk[]) {
  const event = events.find((e) => e.type === 'conversation');
  if (event?.type !== 'conversation') throw new Error('no conversation chunk');
  return event;
}

describe('chat callables', () => {
  it('when chatBy-openai streams, then the answer arrives in chunks and is kept in a new conversation', async () => {
    const { events, final } = await stream('chatBy-openai', {
      model: 'openai/gpt-stub',
      messages: [ask('Keep this')],
    });
    expect(events.filter((e) => e.type === 'text-delta').length).toBeGreaterThan(3);
    const result = final as ChatResult;
    expect(result.text).toBe(stubReply('Keep this'));
    expect(result.conversationId).toBeTruthy();
    // The new conversation is named first, before any of the answer.
    expect(events[0]).toEqual({
      type: 'conversation',
      conversationId: result.conversationId,
      questionId: expect.any(String),
      answerId: expect.any(String),
    });

    const got = GetConversationResponse.parse(
      (await call('getConversation')({ clientToken: token, conversationId: result.conversationId }))
        .data,
    );
    expect(got.conversation.title).toBe('Keep this');
    expect(got.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(got.messages[1]).toMatchObject({
      content: result.text,
      model: 'openai/gpt-stub',
      complete: true,
      finishReason: 'stop',
    });
  });

  it('when an answer ends, then its final chunk carries its cost, the one its stored message keeps', async () => {
    const { final } = await stream('chatBy-openai', {
      model: 'openai/gpt-stub',
      messages: [ask('What does this cost?')],
    });
    const result = final as ChatResult;
    // gpt-stub costs $1 per million input tokens and $2 per million output tokens.
    expect(result.costUsd).toBeCloseTo(
      (result.usage.inputTokens * 1 + result.usage.outputTokens * 2) / 1_000_000,
      12,
    );
    expect(result.costUsd).toBeGreaterThan(0);
    const got = GetConversationResponse.parse(
      (await call('getConversation')({ clientToken: token, conversationId: result.conversationId }))
        .data,
    );
    expect(got.messages[1]).toMatchObject({ role: 'assistant', costUsd: result.costUsd });

    // A free model's answer says so: zero, not nothing.
    const free = (await stream('chatBy-local', { model: 'local/echo', messages: [ask('free?')] }))
      .final as ChatResult;
    expect(free.costUsd).toBe(0);
  });

  it('when a conversation id is given, then the next exchange is appended to it', async () => {
    const first = (await stream('chatBy-local', { model: 'local/echo', messages: [ask('one')] }))
      .final as ChatResult;
    const { events } = await stream('chatBy-local', {
      model: 'local/echo',
      conversationId: first.conversationId,
      messages: [ask('one'), { role: 'assistant', content: first.text }, ask('two')],
    });
    const got = GetConversationResponse.parse(
      (await call('getConversation')({ clientToken: token, conversationId: first.conversationId }))
        .data,
    );
    expect(got.messages.map((m) => m.content.slice(0, 3))).toEqual(['one', 'Hel', 'two', 'Hel']);
    // Told before the answer: where the exchange is kept, under the ids it was stored with.
    expect(events.filter((e) => e.type === 'conversation')).toEqual([
      {
        type: 'conversation',
        conversationId: first.conversationId,
        questionId: got.messages[2]!.id,
        answerId: got.messages[3]!.id,
      },
    ]);
  });

  it('when a question is edited and an answer regenerated, then the old versions stay, another can be shown, and a turn can be deleted', async () => {
    const model = 'openai/gpt-stub';
    const first = await answered('chatBy-openai', { model, messages: [ask('one')] });
    const { conversationId, answerId: firstAnswer } = placed(first.events);
    const history = [ask('one'), { role: 'assistant', content: first.final.text }];
    const second = await answered('chatBy-openai', {
      model,
      conversationId,
      messages: [...history, ask('two')],
      parentId: firstAnswer,
    });
    const { questionId: two } = placed(second.events);
    // Regenerate the answer to "two": no question is stored again.
    const again = await answered('chatBy-openai', {
      model,
      conversationId,
      messages: [...history, ask('two')],
      regenerates: two,
    });
    expect(placed(again.events).questionId).toBeUndefined();
    // Edit "two": the edit follows the first answer, beside the original.
    const edited = await answered('chatBy-openai', {
      model,
      conversationId,
      messages: [...history, ask('two, edited')],
      parentId: firstAnswer,
    });
    const read = async () =>
      GetConversationResponse.parse(
        (await call('getConversation')({ clientToken: token, conversationId })).data,
      );
    const got = await read();
    expect(got.messages.map((m) => m.content)).toEqual([
      'one',
      first.final.text,
      'two, edited',
      edited.final.text,
    ]);
    expect(got.alternatives.map((m) => m.content)).toEqual([
      'two',
      second.final.text,
      again.final.text,
    ]);
    expect(got.conversation.messageCount).toBe(7);

    // Show the original question's regenerated answer again, then delete that turn.
    const leafId = placed(again.events).answerId!;
    await call('selectBranch')({ clientToken: token, conversationId, leafId });
    expect((await read()).messages.map((m) => m.content).slice(2)).toEqual([
      'two',
      again.final.text,
    ]);
    const deleted = DeleteTurnResponse.parse(
      (await call('deleteTurn')({ clientToken: token, conversationId, questionId: two })).data,
    );
    expect(deleted.deleted).toHaveLength(3);
    const after = await read();
    expect(after.messages.map((m) => m.content)).toEqual([
      'one',
      first.final.text,
      'two, edited',
      edited.final.text,
    ]);
    expect(after.alternatives).toEqual([]);
  });

  it('when a place in a conversation is given without one, or both kinds at once, then the call is refused naming the field', async () => {
    const refused = async (data: object) =>
      call('chatBy-local')({
        clientToken: token,
        model: 'local/echo',
        messages: [ask('x')],
        ...data,
      })
        .then(() => undefined)
        .catch((error: { code: string; message: string }) => error);
    expect(await refused({ parentId: 'abc' })).toMatchObject({
      code: 'functions/invalid-argument',
      message: expect.stringContaining('parentId: needs a conversationId'),
    });
    expect(
      await refused({ conversationId: 'c1', parentId: 'abc', regenerates: 'def' }),
    ).toMatchObject({
      code: 'functions/invalid-argument',
      message: expect.stringContaining('regenerates: cannot go with parentId'),
    });
    expect(await refused({ conversationId: 'c1', regenerates: 'a/b' })).toMatchObject({
      code: 'functions/invalid-argument',
      message: expect.stringContaining('regenerates: must be a message id'),
    });
  });

  it("when the conversation is another user's, then the call is refused as not found before any provider runs", async () => {
    const mine = (await stream('chatBy-local', { model: 'local/echo', messages: [ask('mine')] }))
      .final as ChatResult;
    const stranger = await gw.token();
    const error = await call('chatBy-openai')({
      clientToken: stranger,
      model: 'openai/gpt-stub',
      conversationId: mine.conversationId,
      messages: [ask('let me in')],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'functions/not-found' });
    expect(gw.stub.requests).toHaveLength(0);
  });

  it('when the stream is cut, then the client gets an error, never a clean finish, and the partial answer is kept as incomplete', async () => {
    gw.stub.script({ kind: 'cut', afterChunks: 3 });
    const { events, final } = await stream('chatBy-anthropic', {
      model: 'anthropic/claude-stub',
      messages: [ask('cut')],
    });
    expect(events.some((e) => e.type === 'finish')).toBe(false);
    expect(events.at(-1)?.type).toBe('error');
    expect(final).toMatchObject({ code: 'functions/unavailable' });
    // The failed answer went into a new conversation; the error says which, so the next
    // message can continue it.
    const failedIn = (final as { details: { conversationId: string } }).details.conversationId;

    const list = (
      await call<{ conversations: { id: string; title: string }[] }>('listConversations')({
        clientToken: token,
      })
    ).data;
    const cut = list.conversations.find((c) => c.title === 'cut')!;
    expect(cut.id).toBe(failedIn);
    const got = GetConversationResponse.parse(
      (await call('getConversation')({ clientToken: token, conversationId: cut.id })).data,
    );
    const answer = got.messages[1]!;
    expect(answer).toMatchObject({ complete: false, finishReason: 'error' });
    expect(answer.content.length).toBeGreaterThan(0);
    expect(stubReply('cut').startsWith(answer.content)).toBe(true);
    // What was produced before the cut is counted and paid for.
    expect(answer.role === 'assistant' && answer.usage.outputTokens).toBeGreaterThan(0);
    expect(answer.role === 'assistant' && answer.costUsd).toBeGreaterThan(0);
  });

  it("when a provider's callable is asked for another provider's model, then it is refused naming the model", async () => {
    const error = await call('chatBy-openai')({
      clientToken: token,
      model: 'anthropic/claude-stub',
      messages: [ask('x')],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'functions/invalid-argument' });
    expect((error as Error).message).toMatch(/^model: /);
  });

  it('when `chat` is asked for an alias, then it falls back across providers', async () => {
    gw.stub.script(
      { kind: 'status', status: 503 },
      { kind: 'status', status: 503 },
      { kind: 'status', status: 503 },
    );
    const { final } = await stream('chat', { model: 'smart', messages: [ask('any will do')] });
    expect(final).toMatchObject({ model: 'openai/gpt-stub', text: stubReply('any will do') });
  });

  it('when the token only allows one model, then listModels shows only that one and others are refused', async () => {
    const narrow = await gw.token({ models: ['openai/gpt-stub'] });
    const listed = ListModelsResponse.parse(
      (await call('listModels')({ clientToken: narrow })).data,
    );
    expect(listed.models.map((m) => m.id)).toEqual(['openai/gpt-stub']);
    const error = await call('chatBy-local')({
      clientToken: narrow,
      model: 'local/echo',
      messages: [ask('x')],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'functions/permission-denied' });
  });

  it('lists every configured provider with prices, and the aliases', async () => {
    const listed = ListModelsResponse.parse(
      (await call('listModels')({ clientToken: token })).data,
    );
    expect(listed.models.find((m) => m.id === 'openai/gpt-stub')).toMatchObject({
      provider: 'openai',
      providerName: 'OpenAI',
      inputPrice: 1,
      outputPrice: 2,
    });
    expect(listed.models.map((m) => m.provider)).toEqual(
      expect.arrayContaining(['local', 'openai', 'anthropic']),
    );
    expect(listed.aliases).toEqual([
      { id: 'smart', targets: ['anthropic/claude-stub', 'openai/gpt-stub'] },
    ]);
  });

  it('when a question carries an image, then it reaches a vision model as the provider takes images, and the conversation keeps its text', async () => {
    // A 1×1 transparent PNG.
    const png =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
    const { final } = await stream('chatBy-anthropic', {
      model: 'anthropic/claude-stub',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: png } },
          ],
        },
      ],
    });
    const result = final as ChatResult;
    const sent = gw.stub.requests[0]!.body as { messages: { content: unknown }[] };
    expect(sent.messages[0]!.content).toEqual([
      { type: 'text', text: 'What is in this picture?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
    ]);
    const got = GetConversationResponse.parse(
      (await call('getConversation')({ clientToken: token, conversationId: result.conversationId }))
        .data,
    );
    expect(got.messages[0]).toMatchObject({ role: 'user', content: 'What is in this picture?' });
  });

  it('when an image is sent to a model without vision, or is not an allowed type, then the call is refused naming it and no provider is called', async () => {
    const image = (mediaType: string) => ({
      role: 'user',
      content: [{ type: 'image', source: { type: 'base64', mediaType, data: 'AAAA' } }],
    });
    const noVision = await call('chatBy-local')({
      clientToken: token,
      model: 'local/echo',
      messages: [image('image/png')],
    }).catch((e: unknown) => e);
    expect(noVision).toMatchObject({ code: 'functions/invalid-argument' });
    expect((noVision as Error).message).toMatch(/"local\/echo" does not support vision/);
    const badType = await call('chatBy-openai')({
      clientToken: token,
      model: 'openai/gpt-stub',
      messages: [image('image/tiff')],
    }).catch((e: unknown) => e);
    expect(badType).toMatchObject({ code: 'functions/invalid-argument' });
    expect((badType as Error).message).toMatch(/^messages\.0\.content\.0\.source\.mediaType: /);
    expect(gw.stub.requests).toHaveLength(0);
  });

  it('when the provider still rate-limits after the retries, then the call is resource-exhausted with the provider’s delay', async () => {
    const limited = { kind: 'status', status: 429, retryAfter: 0 } as const;
    gw.stub.script(limited, limited, { ...limited, retryAfter: 5 });
    const error = await call('chatBy-openai')({
      clientToken: token,
      model: 'openai/gpt-stub',
      messages: [ask('busy?')],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'functions/resource-exhausted',
      details: { provider: 'openai', status: 429, retryAfterMs: 5_000 },
    });
  });
});

describe("chat callables with an API key's token", () => {
  async function streamAs(clientToken: string, name: string, data: Record<string, unknown>) {
    const { stream: events, data: result } = await call(name).stream({ clientToken, ...data });
    const chunks: ChatChunk[] = [];
    for await (const chunk of events) chunks.push(ChatChunk.parse(chunk));
    return { chunks, final: ChatResult.parse(await result) };
  }
  const conversationsOf = async (owner: string) =>
    (await gw.db.collection(`users/${owner}/conversations`).get()).docs.map((d) => d.id);

  it('when its key has no conversations:write scope, then its answers are kept in none of the owner’s conversations and naming one is permission-denied before any provider runs', async () => {
    const owner = `owner-${randomUUID()}`;
    const person = await gw.token({ sub: owner });
    const mine = (
      await streamAs(person, 'chatBy-local', { model: 'local/echo', messages: [ask('mine')] })
    ).final;

    for (const conversations of [undefined, 'read'] as const) {
      const keyToken = await gw.token({
        sub: owner,
        key: `key-${randomUUID()}`,
        ...(conversations ? { conversations } : {}),
      });
      const { chunks, final } = await streamAs(keyToken, 'chatBy-openai', {
        model: 'openai/gpt-stub',
        messages: [ask('from a program')],
      });
      expect(final.text).toBe(stubReply('from a program'));
      expect(final.conversationId).toBeUndefined();
      expect(chunks.filter((c) => c.type === 'conversation')).toEqual([]);

      gw.stub.reset();
      const error = await call('chatBy-openai')({
        clientToken: keyToken,
        model: 'openai/gpt-stub',
        conversationId: mine.conversationId,
        messages: [ask('append this')],
      }).catch((e: unknown) => e);
      expect(error, `with ${conversations ?? 'no'} conversations scope`).toMatchObject({
        code: 'functions/permission-denied',
        message: expect.stringMatching(
          /^conversations: this API key's token has no conversations:write scope/,
        ),
      });
      expect(gw.stub.requests).toHaveLength(0);
    }
    expect(await conversationsOf(owner)).toEqual([mine.conversationId]);
    const got = GetConversationResponse.parse(
      (await call('getConversation')({ clientToken: person, conversationId: mine.conversationId }))
        .data,
    );
    expect(got.conversation.messageCount).toBe(2);
  });

  it('when its key has the conversations:write scope, then it keeps new exchanges and appends to the owner’s conversations', async () => {
    const owner = `owner-${randomUUID()}`;
    const keyToken = await gw.token({ sub: owner, key: 'key-w', conversations: 'write' });
    const first = (
      await streamAs(keyToken, 'chatBy-local', { model: 'local/echo', messages: [ask('one')] })
    ).final;
    expect(first.conversationId).toBeTruthy();
    await streamAs(keyToken, 'chatBy-local', {
      model: 'local/echo',
      conversationId: first.conversationId,
      messages: [ask('one'), { role: 'assistant', content: first.text }, ask('two')],
    });
    const got = GetConversationResponse.parse(
      (
        await call('getConversation')({
          clientToken: await gw.token({ sub: owner }),
          conversationId: first.conversationId,
        })
      ).data,
    );
    expect(got.conversation.messageCount).toBe(4);
  });
});
