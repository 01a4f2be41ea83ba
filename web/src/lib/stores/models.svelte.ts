// The model picker's state: the catalog from `listModels`, its groups, and the chosen model,
// remembered across visits and restored when it is still offered.
import type { ListModelsResponse } from '@colonycraft/protocol';
import { describeError, type UserError } from '../errors.ts';
import {
  chatCatalog,
  chooseModel,
  groupModels,
  isOffered,
  readRememberedModel,
  rememberModel,
  summarizeChoice,
} from '../models.ts';
import { browserStore, type KeyValueStore } from '../storage.ts';
import { gateway } from './gateway.ts';

export interface ModelsDeps {
  list: () => Promise<ListModelsResponse>;
  store: KeyValueStore;
  now?: () => number;
}

/** After this long a catalog is asked for again on the next visit (a provider key may be new). */
export const CATALOG_MAX_AGE_MS = 60_000;

export class ModelsStore {
  catalog = $state.raw<ListModelsResponse>();
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<UserError>();
  /** The model or alias the next message goes to. */
  selected = $state<string>();
  groups = $derived(this.catalog ? groupModels(this.catalog) : []);
  summary = $derived(
    this.catalog && this.selected ? summarizeChoice(this.catalog, this.selected) : undefined,
  );
  #deps: ModelsDeps;
  #loadedAt = 0;
  /** The person's default model (Settings), chosen over the browser's last choice on load. */
  #preferred: string | undefined;
  /** Bumped by reset, so a catalog asked for by a signed-out user is dropped. */
  #generation = 0;

  constructor(deps: ModelsDeps) {
    this.#deps = deps;
  }

  /**
   * Loads the catalog once, again with `force` or once it is older than a minute, then
   * selects the remembered model (or keeps the current choice while it is still offered).
   */
  async load(force = false): Promise<void> {
    const now = this.#deps.now ?? Date.now;
    const fresh = now() - this.#loadedAt < CATALOG_MAX_AGE_MS;
    if (this.status === 'loading' || (this.status === 'ready' && fresh && !force)) return;
    const generation = this.#generation;
    this.status = 'loading';
    this.error = undefined;
    try {
      const catalog = chatCatalog(await this.#deps.list());
      if (generation !== this.#generation) return;
      this.catalog = catalog;
      this.#loadedAt = now();
      const current =
        this.selected && isOffered(catalog, this.selected) ? this.selected : undefined;
      this.selected =
        current ?? chooseModel(catalog, this.#preferred ?? readRememberedModel(this.#deps.store));
      this.status = 'ready';
    } catch (error) {
      if (generation !== this.#generation) return;
      this.error = describeError(error);
      this.status = 'error';
      // Without the catalog the remembered choice may still work; the server has the last word.
      this.selected ??= readRememberedModel(this.#deps.store) ?? undefined;
    }
  }

  /** Chooses `id` for the next messages and remembers it; ignores a model not offered. */
  select(id: string): void {
    if (this.catalog && !isOffered(this.catalog, id)) return;
    this.selected = id;
    rememberModel(this.#deps.store, id);
  }

  /**
   * The person's default model from their settings: selected now when it is offered (or the
   * catalog is not known yet), and chosen first whenever the catalog loads afresh.
   */
  prefer(id: string | undefined): void {
    this.#preferred = id;
    if (id && (!this.catalog || isOffered(this.catalog, id))) this.selected = id;
  }

  /** Forgets the catalog (on sign-out: another user may see other models). */
  reset(): void {
    this.#generation += 1;
    this.catalog = undefined;
    this.status = 'idle';
    this.error = undefined;
    this.selected = undefined;
    this.#preferred = undefined;
    this.#loadedAt = 0;
  }
}

export const models = new ModelsStore({
  list: () => gateway.listModels(),
  store: browserStore('local'),
});
