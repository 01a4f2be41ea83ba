// @vitest-environment jsdom
import type { UsageReport } from '@colonycraft/protocol';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import Page from './+page.svelte';

// The page loads through the admin store's `adminApi()`: here the real client with a fake
// `fetch` whose answers the test gives when it chooses, so they can come out of order.
const { queryOf, requests, resetRequests, settled } = await vi.hoisted(
  () => import('../held-fetch.ts'),
);
vi.mock('#lib/stores/admin.svelte.ts', async () => (await import('../held-fetch.ts')).adminStore);
// The signed-in user, whose usage the page shows first.
vi.mock('#lib/stores/session.svelte.ts', () => ({ session: { user: { uid: 'me' } } }));

const report = (uid: string, calls: number): UsageReport => {
  const totals = { calls, inputTokens: 10, outputTokens: 5, costUsd: 0 };
  return {
    uid,
    from: '2025-01-01',
    to: '2025-01-31',
    totals,
    models: [],
    principals: [{ principal: uid, principalType: 'user', key: null, totals, days: [] }],
  };
};

const summary = () => screen.getByText(/tokens in \d+ calls/).textContent;

beforeEach(resetRequests);

describe('Usage page', () => {
  it('when a user is typed, then nothing loads until Show usage', async () => {
    const user = userEvent.setup();
    render(Page);
    await waitFor(() => expect(requests).toHaveLength(1));
    expect(queryOf(0)).toEqual({ uid: 'me' });
    requests[0]!.answer(report('me', 1));
    await waitFor(() => expect(summary()).toMatch(/in 1 calls/));

    const field = screen.getByLabelText('User');
    await user.clear(field);
    await user.type(field, 'other');
    expect(requests).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Show usage' }));
    expect(requests).toHaveLength(2);
    expect(queryOf(1)).toEqual({ uid: 'other' });
    requests[1]!.answer(report('other', 2));
    await waitFor(() => expect(summary()).toMatch(/in 2 calls/));
  });

  it('when an earlier request answers last, then its answer is dropped', async () => {
    render(Page);
    await waitFor(() => expect(requests).toHaveLength(1));
    await fireEvent.input(screen.getByLabelText('User'), { target: { value: 'other' } });
    // Show usage is disabled while a report loads; the page must not count on that.
    await fireEvent.submit(screen.getByRole('form', { name: 'Usage filters' }));
    const last = requests.at(-1)!;
    expect(queryOf(requests.length - 1)).toEqual({ uid: 'other' });

    last.answer(report('other', 2));
    await waitFor(() => expect(summary()).toMatch(/in 2 calls/));
    for (const request of requests.slice(0, -1)) request.answer(report('me', 1));
    await settled();
    expect(summary()).toMatch(/in 2 calls/);
  });
});
