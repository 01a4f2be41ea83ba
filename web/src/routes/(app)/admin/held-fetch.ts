// A fake `fetch` for the admin pages' component tests: each request waits until the test
// answers it, so answers can come late or out of order.
import { vi } from 'vitest';
import { createAdminApi } from '#lib/admin-api.ts';

export interface HeldRequest {
  url: URL;
  /** Answers 200 with `body` as JSON. */
  answer: (body: unknown) => void;
}

export const requests: HeldRequest[] = [];

/**
 * The lists the pages read for names (`/users`, `/api-keys`) answer at once, empty, and are
 * not held: the tests are about the page's own loads.
 */
const DIRECTORY: Record<string, unknown> = {
  '/users': { users: [], nextPageToken: null },
  '/api-keys': { keys: [], nextCursor: null },
};

export const fetchFn = vi.fn<typeof fetch>(
  (input) =>
    new Promise<Response>((resolve) => {
      const directory = DIRECTORY[new URL(String(input)).pathname];
      if (directory) {
        resolve({ ok: true, status: 200, json: async () => directory } as Response);
        return;
      }
      // Only what the admin client reads, and no streams: a test that waits for an answer to
      // be ignored can rely on one macrotask being enough for it to land.
      const answer = (body: unknown) =>
        resolve({ ok: true, status: 200, json: async () => body } as Response);
      requests.push({ url: new URL(String(input)), answer });
    }),
);

/** The query of the `index`th request, as an object. */
export const queryOf = (index: number): Record<string, string> =>
  Object.fromEntries(requests[index]!.url.searchParams);

/** Lets every answer given so far run to its end (they only await promises). */
export const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

const api = createAdminApi({
  baseUrl: 'https://admin.test',
  idToken: async () => 'id-token',
  fetchFn,
});

/** Stands in for the admin store: its `adminApi()` is the real client over this `fetch`. */
export const adminStore = { adminApi: () => api };

/** Forgets the requests of the previous test. */
export function resetRequests(): void {
  requests.length = 0;
  fetchFn.mockClear();
}
