// Small key–value persistence for preferences and drafts. Browsers may refuse storage (private
// modes, quotas, disabled cookies), so every access is guarded and failure means "not stored".

export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

function guarded(storage: () => Storage): KeyValueStore {
  return {
    get(key) {
      try {
        return storage().getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        storage().setItem(key, value);
      } catch {
        // Not stored: the preference lasts for this page only.
      }
    },
    remove(key) {
      try {
        storage().removeItem(key);
      } catch {
        // Nothing to remove where nothing could be stored.
      }
    },
  };
}

/** `localStorage` (kept across visits) or `sessionStorage` (this tab only). */
export function browserStore(kind: 'local' | 'session'): KeyValueStore {
  return guarded(() => (kind === 'local' ? localStorage : sessionStorage));
}

/** A store in memory, for tests. */
export function memoryStore(initial: Record<string, string> = {}): KeyValueStore {
  const values = new Map(Object.entries(initial));
  return {
    get: (key) => values.get(key) ?? null,
    set: (key, value) => void values.set(key, value),
    remove: (key) => void values.delete(key),
  };
}
