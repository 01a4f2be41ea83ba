// Turns anything thrown by Firebase Auth, a callable or the network into a short message a
// person can act on, while keeping the server's own message and code for those who need them.

export interface UserError {
  /** What happened and what to do, in one sentence. */
  summary: string;
  /** The underlying message, when it adds anything and is in plain words: shown under the summary. */
  detail?: string;
  /**
   * The underlying message when it is not in plain words (`conversationId: no such
   * conversation`): kept for those who need it, folded away with the code.
   */
  technical?: string;
  /** The machine-readable code, such as `functions/unavailable`: folded away, never the headline. */
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
  'auth/expired-action-code': 'This reset link has expired. Ask for a new one.',
  'auth/invalid-action-code':
    'This reset link is not valid any more: it may have been used already. Ask for a new one.',
  'auth/network-request-failed':
    'Could not reach the sign-in service. Check your connection and try again.',
};

const NETWORK_SUMMARY = 'Could not reach the server. Check your connection and try again.';

/** `not-found` from a conversation callable names its field; any other is the service's. */
const CONVERSATION_GONE = 'This conversation does not exist. It may have been deleted.';

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

/**
 * Whether a message reads as words to a person, rather than as the machinery's: a field path
 * before a colon (`conversationId: …`, zod's and the server's validation style) or an error code
 * (`auth/wrong-password`) is not.
 */
export function isPlainWords(message: string): boolean {
  return (
    !/^[\w$]+(?:\.[\w$-]+)*:\s/.test(message) && !/\b(?:auth|functions)\/[a-z-]+/.test(message)
  );
}

/**
 * The one mapping from a failure to what a person is shown: the summary in plain words, the
 * underlying message under it when it is plain words too, and otherwise that message and the
 * code folded away (the error notice's Details). Every error the app shows goes through here.
 */
export function toUserError(summary: string, message?: string, code?: string): UserError {
  const text = message?.trim() ?? '';
  const informative = isInformative(text, code, summary);
  return {
    summary,
    ...(informative && isPlainWords(text) ? { detail: text } : {}),
    ...(informative && !isPlainWords(text) ? { technical: text } : {}),
    ...(code ? { code } : {}),
  };
}

function summaryOf(error: unknown, code: string | undefined, message: string): string {
  if (isUnreachable(error)) return NETWORK_SUMMARY;
  if (code === 'functions/not-found' && message.startsWith('conversationId:')) {
    return CONVERSATION_GONE;
  }
  return (code && SUMMARIES[code]) ?? 'Something went wrong. Try again.';
}

export function describeError(error: unknown): UserError {
  const code = codeOf(error);
  const message = cleanMessage(messageOf(error), code);
  return toUserError(summaryOf(error, code, message), message, code);
}

/** One line for places that have room for a single string. */
export function formatUserError(error: UserError): string {
  return error.detail ? `${error.summary} (${error.detail})` : error.summary;
}
