// A fresh instance whose first request only lists models (what the openai SDK's users usually
// do first) must still admit the chat calls that follow: both share one Redis connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startGatewayFixture, type GatewayFixture } from '../dev/gateway-fixture.js';

let gw: GatewayFixture;

beforeAll(async () => {
  gw = await startGatewayFixture({
    REDIS_URL: 'redis://127.0.0.1:6379',
    RATE_TIERS: JSON.stringify({
      standard: {
        requests: { capacity: 1e9, refillPerMinute: 1e9 },
        tokens: { capacity: 1e12, refillPerMinute: 1e12 },
        concurrency: 100_000,
        dailyBudgetUsd: null,
        monthlyBudgetUsd: null,
      },
    }),
  });
});
afterAll(() => gw?.stop());

describe('a cold instance with Redis', () => {
  it('when its first request lists the models, then the chat calls after it are admitted', async () => {
    const client = new OpenAI({
      apiKey: await gw.token(),
      baseURL: `${gw.url}v1/v1`,
      maxRetries: 0,
    });
    const models = await client.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    for (let i = 0; i < 2; i += 1) {
      const completion = await client.chat.completions.create({
        model: 'openai/gpt-stub',
        messages: [{ role: 'user', content: `hi ${i}` }],
      });
      expect(completion.choices[0]?.message.content).toContain(`You said: hi ${i}`);
    }
  });
});
