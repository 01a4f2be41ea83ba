// The slice end to end at the API: the real firebase client SDK signs in to the Auth emulator,
// exchanges its ID token for a client token, and streams an answer from `chatBy-local` running
// in the Functions emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import {
  connectAuthEmulator,
  getAuth,
  signInWithEmailAndPassword,
  signOut,
  type Auth,
} from 'firebase/auth';
import {
  connectFunctionsEmulator,
  getFunctions,
  httpsCallable,
  type Functions,
} from 'firebase/functions';
import { getApps as getAdminApps, initializeApp as initializeAdminApp } from 'firebase-admin/app';
import { getAuth as getAdminAuth } from 'firebase-admin/auth';
import { getFirestore } from 'firebase-admin/firestore';
import { ChatResult, ExchangeTokenResponse, ChatChunk } from '@colonycraft/protocol';
import { startStack, type Stack } from '@colonycraft/testing';
import { localReply } from './providers/local/local-provider.js';

let stack: Stack;
let app: FirebaseApp;
let auth: Auth;
let functions: Functions;
const lines: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    ports: 'free',
    web: false,
    onLine: (_source, line) => lines.push(line),
  });
  app = initializeApp(stack.runtimeConfig.firebase, `callables-${Date.now()}`);
  auth = getAuth(app);
  connectAuthEmulator(auth, stack.runtimeConfig.emulators!.auth, { disableWarnings: true });
  functions = getFunctions(app, stack.runtimeConfig.region);
  const { host, port } = stack.runtimeConfig.emulators!.functions;
  connectFunctionsEmulator(functions, host, port);
}, 180_000);

afterAll(async () => {
  if (app) await deleteApp(app);
  await stack?.stop();
});

const member = () => stack.demoUsers.find((u) => u.role === 'member')!;
const admin = () => stack.demoUsers.find((u) => u.role === 'admin')!;

async function signInAs(user: { email: string; password: string }): Promise<ExchangeTokenResponse> {
  await signInWithEmailAndPassword(auth, user.email, user.password);
  const { data } = await httpsCallable(functions, 'exchangeToken')();
  return ExchangeTokenResponse.parse(data);
}

const question = {
  model: 'local/echo',
  messages: [{ role: 'user', content: 'Is the colony awake?' }],
};

describe('exchangeToken', () => {
  it('when nobody is signed in, then it answers unauthenticated', async () => {
    await signOut(auth);
    await expect(httpsCallable(functions, 'exchangeToken')()).rejects.toMatchObject({
      code: 'functions/unauthenticated',
    });
  });

  it('when the member signs in, then the client token carries their id and role, and their profile is kept', async () => {
    const exchanged = await signInAs(member());
    expect(exchanged.claims).toMatchObject({
      sub: auth.currentUser!.uid,
      role: 'member',
      tier: 'standard',
    });
    expect(exchanged.expiresAt - Date.now()).toBeLessThanOrEqual(15 * 60 * 1000);
    process.env.FIRESTORE_EMULATOR_HOST = stack.env.FIRESTORE_EMULATOR_HOST;
    const adminApp = getAdminApps()[0] ?? initializeAdminApp({ projectId: stack.projectId });
    const profile = await getFirestore(adminApp).doc(`users/${auth.currentUser!.uid}`).get();
    expect(profile.data()).toMatchObject({ email: member().email, role: 'member' });
  });

  it('when the admin signs in, then the role in the token is admin, on the unlimited tier', async () => {
    expect((await signInAs(admin())).claims).toMatchObject({ role: 'admin', tier: 'unlimited' });
  });

  it('when the account has been disabled, then its still-valid ID token cannot be exchanged', async () => {
    process.env.FIREBASE_AUTH_EMULATOR_HOST = stack.env.FIREBASE_AUTH_EMULATOR_HOST;
    const adminApp = getAdminApps()[0] ?? initializeAdminApp({ projectId: stack.projectId });
    const user = await getAdminAuth(adminApp).createUser({
      email: 'leaving@colonycraft.test',
      password: 'leaving-pass',
    });
    await signInWithEmailAndPassword(auth, 'leaving@colonycraft.test', 'leaving-pass');
    await getAdminAuth(adminApp).updateUser(user.uid, { disabled: true });
    await expect(httpsCallable(functions, 'exchangeToken')()).rejects.toMatchObject({
      code: 'functions/unauthenticated',
      message: expect.stringContaining('This account is disabled.'),
    });
  });

  it('when the user’s sessions have been revoked (a role change), then their still-valid ID token cannot be exchanged', async () => {
    process.env.FIREBASE_AUTH_EMULATOR_HOST = stack.env.FIREBASE_AUTH_EMULATOR_HOST;
    const adminApp = getAdminApps()[0] ?? initializeAdminApp({ projectId: stack.projectId });
    const user = await getAdminAuth(adminApp).createUser({
      email: 'demoted@colonycraft.test',
      password: 'demoted-pass',
    });
    await signInAs({ email: 'demoted@colonycraft.test', password: 'demoted-pass' });
    // Revocation counts whole seconds: let the sign-in's second pass first.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await getAdminAuth(adminApp).revokeRefreshTokens(user.uid);
    await expect(httpsCallable(functions, 'exchangeToken')()).rejects.toMatchObject({
      code: 'functions/unauthenticated',
      message: expect.stringContaining('sign in again'),
    });
    await signInWithEmailAndPassword(auth, 'demoted@colonycraft.test', 'demoted-pass');
    const { data } = await httpsCallable(functions, 'exchangeToken')();
    expect(ExchangeTokenResponse.parse(data).claims.sub).toBe(user.uid);
  });

  it('when an admin has assigned the user a tier, then the client token carries it', async () => {
    process.env.FIREBASE_AUTH_EMULATOR_HOST = stack.env.FIREBASE_AUTH_EMULATOR_HOST;
    const adminApp = getAdminApps()[0] ?? initializeAdminApp({ projectId: stack.projectId });
    const user = await getAdminAuth(adminApp).createUser({
      email: 'tiered@colonycraft.test',
      password: 'tiered-pass',
    });
    await getAdminAuth(adminApp).setCustomUserClaims(user.uid, { role: 'member', tier: 'free' });
    expect(
      (await signInAs({ email: 'tiered@colonycraft.test', password: 'tiered-pass' })).claims,
    ).toMatchObject({
      role: 'member',
      tier: 'free',
    });
  });
});

describe('chatBy-local', () => {
  it('when streamed, then the text arrives in chunks and the result is the whole answer', async () => {
    const { token } = await signInAs(member());
    const call = await httpsCallable(functions, 'chatBy-local').stream({
      ...question,
      clientToken: token,
    });
    const events: ChatChunk[] = [];
    for await (const chunk of call.stream) events.push(ChatChunk.parse(chunk));
    const result = ChatResult.parse(await call.data);

    const expected = localReply(question as never);
    const deltas = events.filter((e) => e.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.map((e) => e.text).join('')).toBe(expected);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    expect(result).toMatchObject({ model: 'local/echo', text: expected, finishReason: 'stop' });
    expect(result.usage.outputTokens).toBe(deltas.length);
  });

  it('when called without streaming, then the result is the same whole answer', async () => {
    const { token } = await signInAs(member());
    const { data } = await httpsCallable(
      functions,
      'chatBy-local',
    )({ ...question, clientToken: token });
    expect(ChatResult.parse(data).text).toBe(localReply(question as never));
  });

  it('when the client token is missing, then unauthenticated names it, as for every callable', async () => {
    const error = await httpsCallable(
      functions,
      'chatBy-local',
    )({ model: 'local/echo', messages: [] }).catch((e) => e);
    expect(error.code).toBe('functions/unauthenticated');
    expect(error.message).toMatch(/^clientToken: /);
  });

  it('when the messages are empty, then invalid-argument names the field', async () => {
    const { token } = await signInAs(member());
    const error = await httpsCallable(
      functions,
      'chatBy-local',
    )({ model: 'local/echo', messages: [], clientToken: token }).catch((e) => e);
    expect(error.code).toBe('functions/invalid-argument');
    expect(error.message).toMatch(/^messages: must hold at least one message/);
  });

  it('when the client token is forged, then it answers unauthenticated', async () => {
    await expect(
      httpsCallable(functions, 'chatBy-local')({ ...question, clientToken: 'a.b.c' }),
    ).rejects.toMatchObject({ code: 'functions/unauthenticated' });
  });

  it('when the model belongs to another provider, then invalid-argument names the model', async () => {
    const { token } = await signInAs(member());
    const error = await httpsCallable(
      functions,
      'chatBy-local',
    )({
      ...question,
      model: 'openai/gpt-4o-mini',
      clientToken: token,
    }).catch((e) => e);
    expect(error.code).toBe('functions/invalid-argument');
    expect(error.message).toMatch(/^model: /);
  });
});
