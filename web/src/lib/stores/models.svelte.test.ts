import type { ListModelsResponse } from '@colonycraft/protocol';
import { FunctionsError } from 'firebase/functions';
import { describe, expect, it, vi } from 'vitest';
import { MODEL_KEY } from '../models.ts';
import { memoryStore } from '../storage.ts';
import { CATALOG_MAX_AGE_MS, ModelsStore } from './models.svelte.ts';

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
  ],
  aliases: [{ id: 'smart', targets: ['local/echo'] }],
};

describe('ModelsStore', () => {
  it('when the remembered model is offered, then it is selected after loading', async () => {
    const store = memoryStore({ [MODEL_KEY]: 'smart' });
    const models = new ModelsStore({ list: async () => catalog, store });
    await models.load();
    expect(models.selected).toBe('smart');
    expect(models.groups.map((g) => g.label)).toEqual([
      'Local',
      'Aliases (fall back across models)',
    ]);
    expect(models.summary).toBe('Tries local/echo');
  });

  it("when the person's default model is offered, then loading chooses it over the browser's last choice", async () => {
    const store = memoryStore({ [MODEL_KEY]: 'local/echo' });
    const models = new ModelsStore({ list: async () => catalog, store });
    models.prefer('smart');
    await models.load();
    expect(models.selected).toBe('smart');
    // Not offered: the catalog's choice stands.
    models.prefer('openai/not-here');
    expect(models.selected).toBe('smart');
    models.reset();
    await models.load();
    expect(models.selected).toBe('local/echo');
  });

  it('when a model is picked, then it is remembered; one not offered is ignored', async () => {
    const store = memoryStore();
    const models = new ModelsStore({ list: async () => catalog, store });
    await models.load();
    expect(models.selected).toBe('local/echo');
    models.select('smart');
    models.select('openai/not-here');
    expect(models.selected).toBe('smart');
    expect(store.get(MODEL_KEY)).toBe('smart');
  });

  it('loads once unless forced, and when loading fails keeps the remembered choice', async () => {
    const list = vi.fn(async (): Promise<ListModelsResponse> => {
      throw new FunctionsError('unavailable', 'down');
    });
    const models = new ModelsStore({ list, store: memoryStore({ [MODEL_KEY]: 'local/echo' }) });
    await models.load();
    expect(models.status).toBe('error');
    expect(models.error?.code).toBe('functions/unavailable');
    expect(models.selected).toBe('local/echo');

    list.mockResolvedValueOnce(catalog);
    await models.load(true);
    await models.load();
    expect(list).toHaveBeenCalledTimes(2);
    expect(models.status).toBe('ready');
  });

  it('when the user signs out while the catalog loads, then the late answer is dropped', async () => {
    const answers: ((catalog: ListModelsResponse) => void)[] = [];
    const list = vi.fn(() => new Promise<ListModelsResponse>((resolve) => answers.push(resolve)));
    const models = new ModelsStore({ list, store: memoryStore() });
    const previous = models.load();
    models.reset();
    expect(models.status).toBe('idle');

    // The next user's load starts before the previous user's answer lands.
    const next = models.load();
    answers[0]!({ ...catalog, aliases: [{ id: 'private', targets: ['local/echo'] }] });
    await previous;
    expect(models.status).toBe('loading');
    expect(models.catalog).toBeUndefined();
    expect(models.selected).toBeUndefined();

    answers[1]!(catalog);
    await next;
    expect(models.status).toBe('ready');
    expect(models.catalog?.aliases.map((a) => a.id)).toEqual(['smart']);
  });

  it('asks again for a catalog older than a minute, keeping the choice while it is offered', async () => {
    let t = 1_000_000;
    const withOpenai: ListModelsResponse = {
      ...catalog,
      models: [
        ...catalog.models,
        { ...catalog.models[0]!, id: 'openai/gpt-stub', provider: 'openai' },
      ],
    };
    const list = vi.fn(async () => catalog);
    const models = new ModelsStore({ list, store: memoryStore(), now: () => t });
    await models.load();
    models.select('smart');
    t += CATALOG_MAX_AGE_MS - 1;
    await models.load();
    expect(list).toHaveBeenCalledTimes(1);

    list.mockResolvedValueOnce(withOpenai);
    t += 1;
    await models.load();
    expect(list).toHaveBeenCalledTimes(2);
    expect(models.catalog?.models.map((m) => m.id)).toContain('openai/gpt-stub');
    expect(models.selected).toBe('smart');
  });
});
