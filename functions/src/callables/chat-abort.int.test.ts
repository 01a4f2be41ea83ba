// A client that stops a stream must stop the provider too, and what it had received so far is
// kept, marked incomplete. The Functions emulator does not pass a client's disconnect on to
// the function, so this runs the functions as Cloud Run hosts them (dev/serve.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { getFunctions, httpsCallableFromURL, type Functions } from 'firebase/functions';
import {
  GetConversationResponse,
  ListConversationsResponse,
  ChatChunk,
} from '@colonycraft/protocol';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';

let gw: GatewayFixture;
let app: FirebaseApp;
let functions: Functions;

beforeAll(async () => {
  gw = await startGatewayFixture({ LOCAL_PROVIDER_CHUNK_DELAY_MS: '50' });
  app = initializeApp({ apiKey: 'demo-api-key', projectId: 'demo-colonycraft' }, 'abort-test');
  functions = getFunctions(app);
});

afterAll(async () => {
  if (app) await deleteApp(app);
  await gw?.stop();
});

describe('stopping a stream', () => {
  it('when the client aborts after two chunks, then the provider stops, the call is logged cancelled and the partial answer kept', async () => {
    const clientToken = await gw.token({ sub: 'aborting-user' });
    const controller = new AbortController();
    const call = await httpsCallableFromURL(functions, `${gw.url}chatBy-local`).stream(
      {
        model: 'local/echo',
        messages: [{ role: 'user', content: 'count to one hundred' }],
        clientToken,
      },
      { signal: controller.signal },
    );
    const data = call.data.catch((error: unknown) => error);
    let deltas = 0;
    let conversationId: string | undefined;
    await expect(
      (async () => {
        for await (const chunk of call.stream) {
          const event = ChatChunk.parse(chunk);
          if (event.type === 'conversation') conversationId = event.conversationId;
          if (event.type === 'text-delta') deltas += 1;
          if (deltas === 2) controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(deltas).toBe(2);
    expect(await data).toMatchObject({ code: 'functions/cancelled' });

    const entry = JSON.parse(await gw.server.waitForLine(/"message":"chat"/, 10_000)) as Record<
      string,
      unknown
    >;
    expect(entry).toMatchObject({
      status: 'cancelled',
      principal: 'aborting-user',
      model: 'local/echo',
    });
    // The whole reply is 12 words; the provider stopped long before its end.
    expect(entry.outputTokens).toBeLessThan(6);

    const callable = (name: string) => httpsCallableFromURL(functions, `${gw.url}${name}`);
    await expect
      .poll(async () =>
        ListConversationsResponse.parse(
          (await callable('listConversations')({ clientToken })).data,
        ),
      )
      .toMatchObject({ conversations: [{ messageCount: 2 }] });
    const { conversations } = ListConversationsResponse.parse(
      (await callable('listConversations')({ clientToken })).data,
    );
    const got = GetConversationResponse.parse(
      (await callable('getConversation')({ clientToken, conversationId: conversations[0]!.id }))
        .data,
    );
    expect(got.messages[1]).toMatchObject({ complete: false, finishReason: 'cancelled' });
    // The client that stopped the answer was told where it is kept, before its first words.
    expect(conversationId).toBe(conversations[0]!.id);
    expect(got.messages[1]!.content.split(' ').length).toBeLessThan(6);
  });
});
