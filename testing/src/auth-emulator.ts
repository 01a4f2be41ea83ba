// Talks to the Auth emulator's REST API the way a client SDK would, to get real ID tokens in
// tests without a browser.
export interface SignedIn {
  uid: string;
  idToken: string;
}

async function post(authUrl: string, path: string, body: unknown): Promise<SignedIn> {
  const res = await fetch(`${authUrl}/identitytoolkit.googleapis.com/v1/${path}?key=demo-api-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as {
    localId?: string;
    idToken?: string;
    error?: { message: string };
  };
  if (!res.ok || !json.idToken || !json.localId) {
    throw new Error(`Auth emulator ${path} failed: ${json.error?.message ?? res.status}`);
  }
  return { uid: json.localId, idToken: json.idToken };
}

export function signInWithPassword(
  authUrl: string,
  email: string,
  password: string,
): Promise<SignedIn> {
  return post(authUrl, 'accounts:signInWithPassword', { email, password, returnSecureToken: true });
}

export function signUp(authUrl: string, email: string, password: string): Promise<SignedIn> {
  return post(authUrl, 'accounts:signUp', { email, password, returnSecureToken: true });
}
