// @vitest-environment jsdom
import type { AuditEntry, AuditPage } from '@colonycraft/protocol';
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

const entry = (id: number, actor: string): AuditEntry => ({
  id,
  at: 1_700_000_000_000,
  actor,
  action: 'api_key.create',
  target: `api_key:${id}`,
  before: null,
  after: null,
  ip: null,
  requestId: null,
  prevHash: 'p',
  hash: 'h',
});
const page = (entries: AuditEntry[], nextCursor: string | null = null): AuditPage => ({
  entries,
  nextCursor,
});

const actors = () =>
  screen
    .getAllByRole('row')
    .slice(1)
    .map((row) => row.querySelectorAll('td')[2]?.textContent);

beforeEach(resetRequests);

describe('Audit log page', () => {
  it('when filters are typed, then nothing loads until Apply; Load more keeps the applied filters', async () => {
    const user = userEvent.setup();
    render(Page);
    await waitFor(() => expect(requests).toHaveLength(1));
    requests[0]!.answer(page([entry(3, 'root')]));
    await waitFor(() => expect(actors()).toEqual(['root']));

    await user.type(screen.getByLabelText('Actor'), 'alice');
    expect(requests).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(requests).toHaveLength(2);
    expect(queryOf(1)).toEqual({ limit: '50', actor: 'alice' });
    requests[1]!.answer(page([entry(2, 'alice')], 'p2'));
    await waitFor(() => expect(actors()).toEqual(['alice']));

    // Typed but not applied: the next page is still alice's.
    await user.type(screen.getByLabelText('Actor'), '-not-applied');
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(requests).toHaveLength(3);
    expect(queryOf(2)).toEqual({ limit: '50', actor: 'alice', cursor: 'p2' });
    requests[2]!.answer(page([entry(1, 'alice')]));
    await waitFor(() => expect(actors()).toEqual(['alice', 'alice']));
  });

  it('when an earlier request answers last, then its answer is dropped', async () => {
    render(Page);
    await waitFor(() => expect(requests).toHaveLength(1));
    await fireEvent.input(screen.getByLabelText('Actor'), { target: { value: 'alice' } });
    // Apply is disabled while a page loads; the page must not count on that.
    await fireEvent.submit(screen.getByRole('form', { name: 'Audit filters' }));
    const last = requests.at(-1)!;
    expect(queryOf(requests.length - 1)).toEqual({ limit: '50', actor: 'alice' });

    last.answer(page([entry(2, 'alice')]));
    await waitFor(() => expect(actors()).toEqual(['alice']));
    for (const request of requests.slice(0, -1)) request.answer(page([entry(3, 'root')], 'p9'));
    await settled();
    expect(actors()).toEqual(['alice']);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });
});
