// The admin console's shared state: the admin API client for the signed-in user, and who they
// are to it (`GET /me`, which carries the role that decides what the console shows).
import type { Me } from '@colonycraft/protocol';
import { createAdminApi, describeAdminError, type AdminApi } from '../admin-api.ts';
import type { UserError } from '../errors.ts';
import { firebase } from '../firebase.ts';
import { session } from './session.svelte.ts';

let client: { url: string; api: AdminApi } | undefined;

/** The client for the configured admin API, authenticated as the current Firebase user. */
export function adminApi(): AdminApi {
  const url = session.adminApiUrl;
  if (!url) throw new Error('The runtime config has not been loaded yet.');
  if (client?.url !== url) {
    const api = createAdminApi({
      baseUrl: url,
      idToken: async (refresh) => {
        const user = firebase().auth.currentUser;
        if (!user) throw new Error('Nobody is signed in.');
        return user.getIdToken(refresh);
      },
    });
    client = { url, api };
  }
  return client.api;
}

class AdminSession {
  /** The caller as the admin API sees them; undefined until loaded. */
  me = $state<Me>();
  status = $state<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  error = $state<UserError>();
  #uid: string | undefined;

  /** Loads `/me` once per signed-in user (again after a failure or with `force`). */
  async ensureLoaded(uid: string, force = false): Promise<void> {
    if (!force && this.#uid === uid && (this.status === 'ready' || this.status === 'loading')) {
      return;
    }
    this.#uid = uid;
    this.status = 'loading';
    this.error = undefined;
    try {
      const me = await adminApi().me();
      if (this.#uid !== uid) return;
      this.me = me;
      this.status = 'ready';
    } catch (error) {
      if (this.#uid !== uid) return;
      this.me = undefined;
      this.error = describeAdminError(error);
      this.status = 'failed';
    }
  }

  /** The role of `uid` as last loaded; undefined while unknown or for another user. */
  roleOf(uid: string | undefined): Me['role'] | undefined {
    return uid && this.me?.uid === uid ? this.me.role : undefined;
  }

  reset(): void {
    this.#uid = undefined;
    this.me = undefined;
    this.status = 'idle';
    this.error = undefined;
  }
}

export const adminSession = new AdminSession();
