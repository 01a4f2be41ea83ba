// Calls `exchangeToken`: the signed-in user's Firebase ID token (sent by the SDK) becomes a
// short-lived client token that the chat callables accept.
import { ExchangeTokenResponse, describeIssues } from '@colonycraft/protocol';
import { httpsCallable, type Functions } from 'firebase/functions';

export async function exchangeClientToken(functions: Functions): Promise<ExchangeTokenResponse> {
  const call = httpsCallable<void, unknown>(functions, 'exchangeToken');
  const { data } = await call();
  const parsed = ExchangeTokenResponse.safeParse(data);
  if (!parsed.success) {
    throw new Error(`exchangeToken answered unexpectedly: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}
