// `/metrics` over real HTTP with METRICS_TOKEN set: who may scrape, and that requests are
// labelled by route pattern, never by a path carrying ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedApiKey } from '@colonycraft/protocol';
import { startAdminFixture, type AdminFixture } from './dev/admin-fixture.js';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
let f: AdminFixture;

beforeAll(async () => {
  f = await startAdminFixture({ env: { METRICS_TOKEN } });
}, 180_000);

afterAll(async () => {
  await f?.stop();
});

const scrape = (token?: string) =>
  fetch(`${f.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('GET /metrics', () => {
  it('when METRICS_TOKEN is set and the caller sends none or another, then the answer is 401', async () => {
    for (const res of [
      await scrape(),
      await scrape('wrong-token'),
      await scrape(await f.token('boss')),
    ]) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'unauthenticated',
      );
    }
  });

  it('when the caller sends the token, then the process metrics come in Prometheus text', async () => {
    const res = await scrape(METRICS_TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('when requests carry ids in their paths, then they are counted by route pattern and status, ids nowhere', async () => {
    const key = (
      await f.call<CreatedApiKey>('pat', 'POST', '/api-keys', { name: 'm', scopes: ['*'] })
    ).body;
    expect((await f.call('pat', 'GET', `/api-keys/${key.summary.id}`)).status).toBe(200);
    expect((await f.call('pat', 'GET', `/api-keys/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await f.call('boss', 'PUT', `/users/${f.uid.sam}/tier`, { tier: 'free' })).status).toBe(
      200,
    );
    expect((await fetch(`${f.url}/no/such/${f.uid.sam}`)).status).toBe(404);

    const text = await (await scrape(METRICS_TOKEN)).text();
    const count = (labels: string) =>
      Number(new RegExp(`^http_requests_total\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    expect(count('method="GET",route="/api-keys/:id",status="200"')).toBe(1);
    expect(count('method="GET",route="/api-keys/:id",status="404"')).toBe(1);
    expect(count('method="POST",route="/api-keys",status="201"')).toBe(1);
    expect(count('method="PUT",route="/users/:uid/tier",status="200"')).toBe(1);
    expect(count('method="GET",route="unmatched",status="404"')).toBe(1);
    // Refused scrapes count under their route too.
    expect(count('method="GET",route="/metrics",status="401"')).toBe(3);
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="\+Inf",method="PUT",route="\/users\/:uid\/tier",status="200"\} 1$/m,
    );
    for (const id of [key.summary.id, f.uid.sam, f.uid.pat]) expect(text).not.toContain(id);
  });
});
