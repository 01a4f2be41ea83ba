// @vitest-environment jsdom
import type { ListModelsResponse } from '@colonycraft/protocol';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import { userEvent } from '@testing-library/user-event';
import { FunctionsError } from 'firebase/functions';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MODEL_KEY } from '#lib/models.ts';
import { models } from '#lib/stores/models.svelte.ts';
import ModelPicker from './model-picker.svelte';

// The picker reads the app's `models` store; its catalog comes from the gateway's
// `listModels` callable, replaced here. The choice is remembered in jsdom's localStorage.
const listModels = vi.hoisted(() => vi.fn<() => Promise<ListModelsResponse>>());
vi.mock('#lib/stores/gateway.ts', () => ({ gateway: { listModels } }));

const catalog: ListModelsResponse = {
  models: [
    {
      id: 'local/echo',
      provider: 'local',
      providerName: 'Local',
      displayName: 'Local echo',
      contextWindow: 8192,
      inputPrice: 0,
      outputPrice: 0,
      capabilities: [],
    },
    {
      id: 'openai/gpt-test',
      provider: 'openai',
      providerName: 'OpenAI',
      displayName: 'GPT test',
      contextWindow: 128_000,
      inputPrice: 2.5,
      outputPrice: 10,
      capabilities: [],
    },
  ],
  aliases: [{ id: 'smart', targets: ['openai/gpt-test', 'local/echo'] }],
};

const picker = () => screen.getByRole<HTMLSelectElement>('combobox', { name: 'Model' });

beforeEach(() => {
  localStorage.clear();
  models.reset();
  listModels.mockReset();
});

describe('ModelPicker', () => {
  it('is disabled and says so while the catalog loads', async () => {
    let answer!: (catalog: ListModelsResponse) => void;
    listModels.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    render(ModelPicker);
    const loading = models.load();

    await waitFor(() => expect(picker().disabled).toBe(true));
    expect(picker().selectedOptions[0]?.textContent?.trim()).toBe('Loading models…');

    answer(catalog);
    await loading;
    await waitFor(() => expect(picker().disabled).toBe(false));
  });

  it('offers the models grouped by provider, aliases last, each with its context and prices', async () => {
    listModels.mockResolvedValueOnce(catalog);
    render(ModelPicker);
    await models.load();

    await waitFor(() => expect(within(picker()).getAllByRole('group')).toHaveLength(3));
    const groups = within(picker()).getAllByRole('group');
    expect(groups.map((group) => group.getAttribute('label'))).toEqual([
      'Local',
      'OpenAI',
      'Aliases (fall back across models)',
    ]);
    expect(within(groups[1]!).getByRole('option').textContent).toBe(
      'GPT test — 128K context · $2.50 in / $10 out per 1M tokens',
    );
    expect(within(groups[2]!).getByRole('option').textContent).toBe(
      'smart → openai/gpt-test, local/echo',
    );
    // Nothing remembered: the first model, described under the picker.
    expect(picker().value).toBe('local/echo');
    expect(screen.getByText('Local · 8K context · free')).toBeTruthy();
  });

  it('remembers the model chosen, and restores it next time', async () => {
    const user = userEvent.setup();
    listModels.mockResolvedValue(catalog);
    const { unmount } = render(ModelPicker);
    await models.load();

    await user.selectOptions(picker(), 'smart → openai/gpt-test, local/echo');
    expect(models.selected).toBe('smart');
    expect(localStorage.getItem(MODEL_KEY)).toBe('smart');
    expect(screen.getByText('Tries openai/gpt-test, then local/echo')).toBeTruthy();

    unmount();
    models.reset();
    render(ModelPicker);
    await models.load();
    await waitFor(() => expect(picker().value).toBe('smart'));
  });

  it('says when the catalog could not be loaded, and Retry asks again', async () => {
    const user = userEvent.setup();
    listModels.mockRejectedValueOnce(new FunctionsError('unavailable', 'down'));
    render(ModelPicker);
    await models.load();

    await screen.findByText(/Could not load the models: The model’s provider is unavailable/);
    listModels.mockResolvedValueOnce(catalog);
    await user.click(screen.getByRole('button', { name: 'Retry' }));

    await waitFor(() => expect(picker().value).toBe('local/echo'));
    expect(screen.queryByText(/Could not load the models:/)).toBeNull();
    expect(listModels).toHaveBeenCalledTimes(2);
  });
});
