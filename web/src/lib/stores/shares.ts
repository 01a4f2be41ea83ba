// The app's one sharing client, with the signed-in person's client token for the owner's calls.
// Firebase is looked up on each call, so importing this needs no initialized app.
import { firebase } from '../firebase.ts';
import { firebaseInvoke } from '../gateway-api.ts';
import { createShareApi } from '../share-api.ts';
import { clientToken } from './client-token.svelte.ts';

export const shares = createShareApi(
  firebaseInvoke(() => firebase().functions),
  clientToken,
);
