// The chat callables come from the provider table: every row has its callable, under the name
// the row gives clients, running as the row's account; a row with no callable would fail here
// rather than in production.
import { describe, expect, it } from 'vitest';
import { PROVIDER_TABLE } from '@colonycraft/protocol';
import { exportedFunctions } from '../dev/exported-functions.js';
import * as exported from '../index.js';
import { FUNCTIONS_SERVICE_ACCOUNT, GATEWAY_SERVICE_ACCOUNT } from '../service-accounts.js';

const functions = exportedFunctions(exported);

/** The account Firebase deploys a function to run as. */
function accountOf(name: string): string | undefined {
  const fn = functions[name] as unknown as { __endpoint?: { serviceAccountEmail?: unknown } };
  const account = fn.__endpoint?.serviceAccountEmail;
  return typeof account === 'string' ? account : undefined;
}

describe('the chat callables', () => {
  it('when the entry point is read as Firebase reads it, then every row’s callable is there under the row’s name', () => {
    for (const row of PROVIDER_TABLE) expect(Object.keys(functions)).toContain(row.callable);
  });

  it('when the callables are listed, then they are the table’s and `chat`, and no other', () => {
    const chatNames = Object.keys(functions).filter((name) => name.startsWith('chat'));
    expect(chatNames.sort()).toEqual(['chat', ...PROVIDER_TABLE.map((p) => p.callable)].sort());
  });

  it('when a provider takes a key, then its callable runs as the row’s account, which may read only that key', () => {
    for (const row of PROVIDER_TABLE.filter((p) => p.secretName !== undefined)) {
      expect(accountOf(row.callable)).toBe(row.serviceAccount);
    }
  });

  it('when a provider takes no key, then its callable runs as the account that reads none', () => {
    for (const row of PROVIDER_TABLE.filter((p) => p.secretName === undefined)) {
      expect(accountOf(row.callable)).toBe(FUNCTIONS_SERVICE_ACCOUNT);
    }
  });

  it('when a model may be any, then `chat` serves it as the gateway’s account', () => {
    expect(accountOf('chat')).toBe(GATEWAY_SERVICE_ACCOUNT);
  });
});
