import type { CatalogModel, ListModelsResponse } from '@colonycraft/protocol';
import { describe, expect, it } from 'vitest';
import {
  chatCatalog,
  ALIASES_GROUP,
  chooseModel,
  describeModel,
  formatPrice,
  formatTokens,
  groupModels,
  readRememberedModel,
  rememberModel,
  summarizeChoice,
  takesImages,
} from './models.ts';
import { memoryStore } from './storage.ts';

function model(id: string, extra: Partial<CatalogModel> = {}): CatalogModel {
  const provider = id.slice(0, id.indexOf('/'));
  return {
    id,
    provider,
    providerName: provider[0]!.toUpperCase() + provider.slice(1),
    displayName: id.slice(id.indexOf('/') + 1),
    contextWindow: 128_000,
    inputPrice: 2.5,
    outputPrice: 10,
    capabilities: [],
    ...extra,
  };
}

const catalog: ListModelsResponse = {
  models: [
    model('openai/gpt-4o', { providerName: 'OpenAI' }),
    model('local/echo', { contextWindow: 8192, inputPrice: 0, outputPrice: 0 }),
    model('openai/gpt-4o-mini', { providerName: 'OpenAI', inputPrice: 0.15, outputPrice: 0.6 }),
  ],
  aliases: [{ id: 'smart', targets: ['openai/gpt-4o', 'local/echo'] }],
};

describe('formatting', () => {
  it('shortens token counts and prices the way people read them', () => {
    expect(
      [8192, 131_072, 128_000, 200_000, 1_000_000, 1_048_576, 1_500_000, 512].map(formatTokens),
    ).toEqual(['8K', '128K', '128K', '200K', '1M', '1M', '1.5M', '512']);
    expect([0, 0.15, 2.5, 15, 0.075].map(formatPrice)).toEqual([
      'free',
      '$0.15',
      '$2.50',
      '$15',
      '$0.075',
    ]);
  });

  it('describes a model by its context window and its prices per million tokens', () => {
    expect(describeModel(catalog.models[0]!)).toBe(
      '128K context · $2.50 in / $10 out per 1M tokens',
    );
    expect(describeModel(catalog.models[1]!)).toBe('8K context · free');
  });
});

describe('chatCatalog', () => {
  it('when the catalog has embeddings models, then the chat offers only the others', () => {
    const catalog = {
      models: [
        model('openai/gpt-4o', { capabilities: ['tools', 'vision'] }),
        model('openai/text-embedding-3-small', { capabilities: ['embeddings'] }),
      ],
      aliases: [],
    };
    expect(chatCatalog(catalog).models.map((m) => m.id)).toEqual(['openai/gpt-4o']);
  });
});

describe('groupModels', () => {
  it('groups models by provider in catalog order and puts the aliases last', () => {
    const groups = groupModels(catalog);
    expect(groups.map((g) => g.label)).toEqual(['OpenAI', 'Local', ALIASES_GROUP]);
    expect(groups[0]!.options.map((o) => o.id)).toEqual(['openai/gpt-4o', 'openai/gpt-4o-mini']);
    expect(groups[1]!.options[0]!.label).toBe('echo — 8K context · free');
    expect(groups[2]!.options).toEqual([
      { id: 'smart', label: 'smart → openai/gpt-4o, local/echo' },
    ]);
  });

  it('when there are no aliases, then there is no alias group', () => {
    expect(groupModels({ ...catalog, aliases: [] }).map((g) => g.label)).not.toContain(
      ALIASES_GROUP,
    );
  });
});

describe('chooseModel and the remembered choice', () => {
  it('when the remembered model is still offered, then it is chosen', () => {
    expect(chooseModel(catalog, 'openai/gpt-4o-mini')).toBe('openai/gpt-4o-mini');
    expect(chooseModel(catalog, 'smart')).toBe('smart');
  });

  it('when the remembered model is gone or nothing is remembered, then the first model is', () => {
    expect(chooseModel(catalog, 'anthropic/claude-gone')).toBe('openai/gpt-4o');
    expect(chooseModel(catalog, null)).toBe('openai/gpt-4o');
  });

  it('when only aliases are offered, then the first alias is chosen; when nothing, none', () => {
    expect(chooseModel({ models: [], aliases: catalog.aliases }, null)).toBe('smart');
    expect(chooseModel({ models: [], aliases: [] }, 'local/echo')).toBeUndefined();
  });

  it('remembers the choice in the store it is given', () => {
    const store = memoryStore();
    expect(readRememberedModel(store)).toBeNull();
    rememberModel(store, 'local/echo');
    expect(readRememberedModel(store)).toBe('local/echo');
  });

  it('summarizes the choice for the line under the picker', () => {
    expect(summarizeChoice(catalog, 'local/echo')).toBe('Local · 8K context · free');
    expect(summarizeChoice(catalog, 'smart')).toBe('Tries openai/gpt-4o, then local/echo');
    expect(summarizeChoice(catalog, 'nope')).toBeUndefined();
  });
});

describe('takesImages', () => {
  const catalog: ListModelsResponse = {
    models: [model('local/echo'), model('local/vision-echo', { capabilities: ['vision'] })],
    aliases: [
      { id: 'seeing', targets: ['local/echo', 'local/vision-echo'] },
      { id: 'blind', targets: ['local/echo'] },
    ],
  };

  it('when the model or one of an alias targets declares vision, then images are offered', () => {
    expect(takesImages(catalog, 'local/vision-echo')).toBe(true);
    expect(takesImages(catalog, 'seeing')).toBe(true);
  });

  it('when none does, or nothing is chosen or known yet, then they are not', () => {
    expect(takesImages(catalog, 'local/echo')).toBe(false);
    expect(takesImages(catalog, 'blind')).toBe(false);
    expect(takesImages(catalog, undefined)).toBe(false);
    expect(takesImages(undefined, 'local/vision-echo')).toBe(false);
  });
});
