// /v1/embeddings through the official openai SDK, unchanged: float and base64 vectors, a batch,
// dimensions, the capability and size checks, and the call's usage in the ledger and budget.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { APIError } from 'openai';
import { STUB_EMBEDDING_DIMENSIONS, TEST_REDIS_URL, stubEmbedding } from '@colonycraft/testing';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';
import { dailySpendMicroUsd } from '../dev/limits/budget-spend.js';
import { usdToMicro } from '../limits/limits-config.js';

let gw: GatewayFixture;

beforeAll(async () => {
  gw = await startGatewayFixture({
    GATEWAY_MAX_EMBEDDING_INPUTS: '3',
    REDIS_URL: TEST_REDIS_URL,
    RATE_TIERS: JSON.stringify({
      standard: { requests: { capacity: 100, refillPerMinute: 100 }, dailyBudgetUsd: 1 },
    }),
  });
});
afterAll(() => gw?.stop());
beforeEach(() => gw.stub.reset());

async function clientFor(sub = `embed-${Date.now()}-${Math.random()}`) {
  const token = await gw.token({ sub });
  return { sub, client: new OpenAI({ apiKey: token, baseURL: `${gw.url}v1/v1`, maxRetries: 0 }) };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the call succeeded'),
    (error: unknown) => error as APIError,
  );

describe('/v1/embeddings', () => {
  it('when the SDK asks as it does by default (base64), then it decodes exactly the vectors the provider made, one per input in order', async () => {
    const { client } = await clientFor();
    const inputs = ['The colony wakes.', 'Ships leave at dawn.'];
    const result = await client.embeddings.create({ model: 'openai/embed-stub', input: inputs });
    expect(result.model).toBe('openai/embed-stub');
    expect(result.data.map((d) => d.index)).toEqual([0, 1]);
    expect(result.data.map((d) => d.embedding)).toEqual(
      inputs.map((input) => stubEmbedding(input, STUB_EMBEDDING_DIMENSIONS)),
    );
    // The stub counts words: 3 and 4.
    expect(result.usage).toEqual({ prompt_tokens: 7, total_tokens: 7 });
  });

  it('when floats and fewer dimensions are asked for, then they come as floats of that length, and dimensions reach the provider', async () => {
    const { client } = await clientFor();
    const result = await client.embeddings.create({
      model: 'compatible/embed-stub',
      input: 'One input',
      encoding_format: 'float',
      dimensions: 4,
    });
    expect(result.data).toHaveLength(1);
    expect(result.data[0]!.embedding).toEqual(stubEmbedding('One input', 4));
    expect(gw.stub.requests[0]!.body).toMatchObject({ model: 'embed-stub', dimensions: 4 });
  });

  it('when a chat model is asked for embeddings, or an embeddings model to chat, then the 400 names the capability and the model, and no provider is called', async () => {
    const { client } = await clientFor();
    const chat = await failure(client.embeddings.create({ model: 'openai/gpt-stub', input: 'x' }));
    expect(chat.status).toBe(400);
    expect(chat.message).toContain('"openai/gpt-stub" does not support embeddings');
    const embed = await failure(
      client.chat.completions.create({
        model: 'openai/embed-stub',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(embed.status).toBe(400);
    expect(embed.message).toContain('"openai/embed-stub" does not support chat');
    expect(gw.stub.requests).toHaveLength(0);
  });

  it('when the input is empty, holds too many inputs or one longer than the model takes, then the 400 names the field', async () => {
    const { client } = await clientFor();
    const cases: [OpenAI.EmbeddingCreateParams['input'], string][] = [
      [[], 'input'],
      [['ok', ''], 'input.1'],
      [['a', 'b', 'c', 'd'], 'input'],
      [['fine', 'word '.repeat(100)], 'input.1'],
    ];
    for (const [input, param] of cases) {
      const error = await failure(client.embeddings.create({ model: 'openai/embed-stub', input }));
      expect(error.status).toBe(400);
      expect((error.error as { param?: string }).param).toBe(param);
    }
    expect(gw.stub.requests).toHaveLength(0);
  });

  it('when a batch is embedded, then the call is one ledger record priced by the provider’s count, and its budget settles at that cost', async () => {
    const { sub, client } = await clientFor();
    const inputs = ['alpha beta', 'gamma delta epsilon', 'zeta'];
    await client.embeddings.create({ model: 'openai/embed-stub', input: inputs });
    const records = await gw.records(sub);
    expect(records).toHaveLength(1);
    const record = records[0]!;
    // The stub counts words: 6 tokens at the fixture's $0.50 per million.
    expect(record).toMatchObject({
      model: 'openai/embed-stub',
      inputTokens: 6,
      outputTokens: 0,
      estimated: false,
      status: 'ok',
    });
    expect(record.costUsd).toBeCloseTo((6 * 0.5) / 1e6, 15);
    expect(await dailySpendMicroUsd(`user:${sub}`, TEST_REDIS_URL)).toBe(
      usdToMicro(record.costUsd),
    );
  });
});
