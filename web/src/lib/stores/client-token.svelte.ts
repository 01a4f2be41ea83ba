// The signed-in user's client token: exchanged on sign-in, renewed before it expires, and
// dropped on sign-out, without the person ever seeing it happen.
import type { Functions } from 'firebase/functions';
import { exchangeClientToken } from '../client-token.ts';
import { describeError, type UserError } from '../errors.ts';
import {
  createTokenRefresher,
  type RefresherState,
  type TokenRefresher,
} from '../token-refresh.ts';

class ClientTokenStore {
  state = $state.raw<RefresherState>({ status: 'idle' });
  #refresher: TokenRefresher | undefined;
  #uid: string | null = null;

  /** Why the last exchange failed, while it keeps failing. */
  get error(): UserError | undefined {
    return this.state.status === 'error' ? describeError(this.state.error) : undefined;
  }

  /** Wires the store to the callables; called once Firebase is initialized. */
  attach(functions: Functions): void {
    this.#refresher ??= createTokenRefresher({
      exchange: () => exchangeClientToken(functions),
      onChange: (state) => {
        this.state = state;
      },
    });
  }

  /** Follows the signed-in user: a new user gets a new token, no user gets none. */
  userChanged(uid: string | null): void {
    if (uid === this.#uid) return;
    this.#uid = uid;
    if (uid) this.#required().start();
    else this.#refresher?.stop();
  }

  /** A client token valid for a while yet. */
  get(): Promise<string> {
    return this.#required().get();
  }

  /** A newly exchanged token, for when the server refused the current one. */
  refresh(): Promise<string> {
    return this.#required().refresh();
  }

  #required(): TokenRefresher {
    if (!this.#refresher) throw new Error('The client token store is not attached yet.');
    return this.#refresher;
  }
}

export const clientToken = new ClientTokenStore();
