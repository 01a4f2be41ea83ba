// @vitest-environment jsdom
import type { ProviderKeyRotation, ProviderKeyStatus } from '@colonycraft/protocol';
import { render, screen, waitFor } from '@testing-library/svelte';
import { userEvent } from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import ProviderKeyDialog from './provider-key-dialog.svelte';

// The dialog sends through the admin store's `adminApi()`, which needs the runtime config and a
// signed-in Firebase user. Here it is the real client (`createAdminApi`: request shape, schema
// validation, error mapping) with a fake `fetch` standing in for the network.
const fetchFn = vi.hoisted(() => vi.fn<typeof fetch>());
vi.mock('../../stores/admin.svelte.ts', async () => {
  const { createAdminApi } = await import('../../admin-api.ts');
  const api = createAdminApi({
    baseUrl: 'https://admin.test',
    idToken: async () => 'id-token',
    fetchFn,
  });
  return { adminApi: () => api };
});

const openai: ProviderKeyStatus = {
  id: 'openai',
  displayName: 'OpenAI',
  secretName: 'openai-api-key',
  configured: true,
  keyLast4: 'abcd',
  lastRotatedAt: 1_700_000_000_000,
  lastRotatedBy: 'admin-uid',
  versions: [
    {
      version: '1',
      state: 'enabled',
      createdAt: 1_700_000_000_000,
      createdBy: null,
      disableAt: null,
    },
  ],
};

const rotation: ProviderKeyRotation = {
  provider: { ...openai, keyLast4: 'wxyz' },
  version: '2',
  disablesVersions: ['1'],
  disableAt: 1_700_000_600_000,
};

const VALID_KEY = 'sk-live-0123456789wxyz';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/** Rendered as the Providers page uses it: closing sets the target to undefined. */
function renderDialog(target: ProviderKeyStatus = openai) {
  const onsaved = vi.fn();
  const onclose = vi.fn(() => result.rerender({ target: undefined }));
  // Under `props`: `target` is also the name of a mount option.
  const result = render(ProviderKeyDialog, { props: { target, onsaved, onclose } });
  return {
    ...result,
    onsaved,
    onclose,
    reopen: () => result.rerender({ target }),
  };
}

const keyField = () => screen.getByLabelText<HTMLInputElement>('New OpenAI key');
const graceSelect = () => screen.getByLabelText<HTMLSelectElement>('Disable the old key');
const graceChosen = () => graceSelect().selectedOptions[0]?.textContent;

beforeEach(() => {
  fetchFn.mockReset();
});

describe('ProviderKeyDialog', () => {
  it('asks for the key in a password field that is never autocompleted, focused', () => {
    renderDialog();

    expect(screen.getByRole('dialog', { name: 'Rotate the OpenAI key' })).toBeTruthy();
    const field = keyField();
    expect(field.type).toBe('password');
    expect(field.getAttribute('autocomplete')).toBe('off');
    expect(field.value).toBe('');
    expect(document.activeElement).toBe(field);
    expect(graceChosen()).toBe('After 1 hour (default)');
    expect(screen.getByRole('dialog').textContent).toContain('Also revoke the old key at OpenAI.');
  });

  it('says "Set" for a provider without a key yet', () => {
    renderDialog({ ...openai, configured: false, keyLast4: null, versions: [] });

    expect(screen.getByRole('dialog', { name: 'Set the OpenAI key' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Set key' })).toBeTruthy();
  });

  it('refuses a key with a space, says why, and sends nothing', async () => {
    const user = userEvent.setup();
    const { onsaved } = renderDialog();

    await user.type(keyField(), 'sk-live 0123456789');
    await user.click(screen.getByRole('button', { name: 'Rotate key' }));

    expect(screen.getByRole('alert').textContent).toContain('A key has no spaces or line breaks.');
    expect(keyField().getAttribute('aria-invalid')).toBe('true');
    expect(keyField().value).toBe('sk-live 0123456789'); // left to be corrected
    expect(fetchFn).not.toHaveBeenCalled();
    expect(onsaved).not.toHaveBeenCalled();

    await user.type(keyField(), 'x'); // typing again clears the complaint
    expect(screen.queryByRole('alert')).toBeNull();
    expect(keyField().getAttribute('aria-invalid')).toBe('false');
  });

  it('sends a valid key with the chosen grace period, emptying the field as it goes', async () => {
    const user = userEvent.setup();
    let answer!: (response: Response) => void;
    fetchFn.mockReturnValueOnce(new Promise<Response>((resolve) => (answer = resolve)));
    const { onsaved, onclose, reopen } = renderDialog();

    await user.type(keyField(), `  ${VALID_KEY} `);
    await user.selectOptions(graceSelect(), 'After 10 minutes');
    await user.click(screen.getByRole('button', { name: 'Rotate key' }));

    // While the request is out: the key is already gone from the field.
    expect(keyField().value).toBe('');
    expect(keyField().disabled).toBe(true);
    expect(screen.getByRole('button', { name: 'Saving…' })).toBeTruthy();
    expect(fetchFn).toHaveBeenCalledOnce();
    const [url, init] = fetchFn.mock.calls[0]!;
    expect(url).toBe('https://admin.test/providers/openai/key');
    expect(init?.method).toBe('PUT');
    expect(init?.headers).toMatchObject({ authorization: 'Bearer id-token' });
    expect(JSON.parse(String(init?.body))).toEqual({ key: VALID_KEY, graceSeconds: 600 });

    answer(json(200, rotation));
    await waitFor(() => expect(onsaved).toHaveBeenCalledWith(rotation));
    expect(onclose).toHaveBeenCalled();
    expect(screen.queryByRole('dialog')).toBeNull();

    await reopen();
    expect(keyField().value).toBe('');
    expect(graceChosen()).toBe('After 1 hour (default)');
  });

  it('shows a refusal with its request id, and the key must be pasted again', async () => {
    const user = userEvent.setup();
    fetchFn.mockResolvedValueOnce(
      json(400, {
        error: { code: 'invalid_request', message: 'key is not valid', requestId: 'req-42' },
      }),
    );
    const { onsaved, onclose } = renderDialog();

    await user.type(keyField(), VALID_KEY);
    await user.click(screen.getByRole('button', { name: 'Rotate key' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The request was rejected. Change it and try again.');
    expect(alert.textContent).toContain('key is not valid (request req-42)');
    expect(keyField().value).toBe('');
    expect(keyField().disabled).toBe(false);
    expect(onsaved).not.toHaveBeenCalled();
    expect(onclose).not.toHaveBeenCalled();
  });

  it('Cancel forgets the typed key and the chosen grace period', async () => {
    const user = userEvent.setup();
    const { onclose, reopen } = renderDialog();

    await user.type(keyField(), VALID_KEY);
    await user.selectOptions(graceSelect(), 'Immediately');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));

    expect(onclose).toHaveBeenCalled();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(fetchFn).not.toHaveBeenCalled();
    await reopen();
    expect(keyField().value).toBe('');
    expect(graceChosen()).toBe('After 1 hour (default)');
  });

  it('Escape forgets the typed key too', async () => {
    const user = userEvent.setup();
    const { onclose, reopen } = renderDialog();

    await user.type(keyField(), VALID_KEY);
    await user.keyboard('{Escape}');

    await waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(screen.queryByRole('dialog')).toBeNull();
    await reopen();
    expect(keyField().value).toBe('');
    expect(fetchFn).not.toHaveBeenCalled();
  });
});
