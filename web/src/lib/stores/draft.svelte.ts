// The message being written, kept per signed-in user for this tab (sessionStorage): a reload,
// an expired session or a failed call never loses what was typed.
import type { KeyValueStore } from '../storage.ts';

export class Draft {
  #text = $state('');
  #key: string | undefined;
  #store: KeyValueStore | undefined;

  constructor(store?: KeyValueStore) {
    this.#store = store;
  }

  get text(): string {
    return this.#text;
  }

  set text(text: string) {
    this.#text = text;
    if (!this.#key) return;
    if (text) this.#store?.set(this.#key, text);
    else this.#store?.remove(this.#key);
  }

  /** Switches to `uid`'s draft (none when signed out). */
  useDraftOf(uid: string | null): void {
    this.#key = uid ? `colonycraft.draft.${uid}` : undefined;
    this.#text = (this.#key && this.#store?.get(this.#key)) || '';
  }
}
