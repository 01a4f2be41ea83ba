// The app's one gateway client: the history and catalog callables, with the signed-in user's
// client token. Firebase is looked up on each call, so importing this needs no initialized app.
import { createGatewayApi, firebaseInvoke } from '../gateway-api.ts';
import { firebase } from '../firebase.ts';
import { clientToken } from './client-token.svelte.ts';

export const gateway = createGatewayApi(
  firebaseInvoke(() => firebase().functions),
  clientToken,
);
