// Turns anything thrown by Firebase Auth, a callable or the network into a short message a
// person can act on, while keeping the server's own message and code for those who need them.

export interface UserError {
  /** What happened and what to do, in one sentence. */
  summary: string;
  /** The underlying message (for example the server's validation message), when it adds anything. */
  detail?: string;
  /** The machine-readable code, such as `functions/unavailable`. */
  code?: string;
}

const SUMMARIES: Record<string, string> = {
  // Callables (FunctionsError codes).
  'functions/unauthenticated': 'Your session has expired. Sign out and sign in again.',
  'functions/permission-denied': 'Your account is not allowed to do that.',
  'functions/invalid-argument': 'The request was rejected. Change it and try again.',
  'functions/resource-exhausted': 'You are sending requests too fast. Wait a moment and try again.',
  'functions/unavailable':
    'The model’s provider is unavailable right now. Try again in a moment, or try another model.',
  'functions/deadline-exceeded':
    'The answer took too long. Try again, perhaps with a shorter message.',
  'functions/not-found': 'The service could not be found. Reload the page.',
  'functions/cancelled': 'The request was stopped.',
  'functions/internal': 'Something went wrong on our side. Try again later.',
  // Sign-in (AuthError codes).
  'auth/invalid-credential': 'Wrong email or password. Check both and try again.',
  'auth/wrong-password': 'Wrong email or password. Check both and try again.',
  'auth/user-not-found': 'Wrong email or password. Check both and try again.',
  'auth/invalid-email': 'That email address does not look right.',
  'auth/missing-password': 'Enter your password.',
  'auth/user-disabled': 'This account is disabled. Ask an administrator.',
  'auth/too-many-requests': 'Too many attempts. Wait a few minutes and try again.',
  // Registration and password reset.
  'auth/email-already-in-use':
    'An account with that email already exists. Sign in, or reset its password.',
  'auth/weak-password': 'That password is too weak. Choose one of at least 6 characters.',
  'auth/password-does-not-meet-requirements':
    'That password does not meet the requirements. Choose a longer or more varied one.',
  'auth/missing-email': 'Enter your email address.',
  'auth/operation-not-allowed':
    'Creating accounts with a password is turned off. Ask an administrator.',
  'auth/network-request-failed':
    'Could not reach the sign-in service. Check your connection and try again.',
};

const NETWORK_SUMMARY = 'Could not reach the server. Check your connection and try again.';

export function codeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return '';
}

/**
 * Strips Firebase's "Firebase: … (auth/code)." wrapping and the callable SDK's " [status]"
 * suffix so only the readable part remains.
 */
function cleanMessage(message: string, code: string | undefined): string {
  let text = message
    .replace(/^Firebase:\s*/, '')
    .replace(/\s*\[\d{1,3}\]$/, '')
    .trim();
  if (code) text = text.replace(`(${code})`, '').trim();
  return text.replace(/\.$/, '').trim();
}

/**
 * Whether the underlying message tells the person more than the summary and code already do.
 * Firebase Auth's "Error (auth/…)" and the SDK's bare code names do not.
 */
function isInformative(message: string, code: string | undefined, summary: string): boolean {
  const lower = message.toLowerCase();
  const bareCode = code?.slice(code.indexOf('/') + 1);
  return (
    lower !== '' &&
    lower !== 'error' &&
    lower !== bareCode &&
    lower !== bareCode?.replace(/-/g, ' ') &&
    !summary.toLowerCase().startsWith(lower)
  );
}

/**
 * Whether the server could not be reached or the connection broke. The callable SDK reports a
 * failed fetch or a cut stream (offline, CORS, a crashed backend) as `internal` with the bare
 * message "internal" (and status 0): to a person that is a connection problem.
 */
export function isUnreachable(error: unknown): boolean {
  const code = codeOf(error);
  const message = cleanMessage(messageOf(error), code);
  return (
    (code === 'functions/internal' && message.toLowerCase() === 'internal') ||
    (error instanceof TypeError && !code)
  );
}

export function describeError(error: unknown): UserError {
  const code = codeOf(error);
  const message = cleanMessage(messageOf(error), code);
  const summary = isUnreachable(error)
    ? NETWORK_SUMMARY
    : ((code && SUMMARIES[code]) ?? 'Something went wrong. Try again.');
  return {
    summary,
    ...(isInformative(message, code, summary) ? { detail: message } : {}),
    ...(code ? { code } : {}),
  };
}

/** One line for places that have room for a single string. */
export function formatUserError(error: UserError): string {
  return error.detail ? `${error.summary} (${error.detail})` : error.summary;
}
