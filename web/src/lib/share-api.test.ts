import { FunctionsError } from 'firebase/functions';
import { describe, expect, it, vi } from 'vitest';
import { createShareApi, isMissingShare } from './share-api.ts';
import type { Invoke } from './gateway-api.ts';

const tokens = () => ({
  get: vi.fn(async () => 'token-1'),
  refresh: vi.fn(async () => 'token-2'),
});

const share = {
  id: 'AbCdEfGhIjKlMnOpQrSt',
  conversationId: 'c1',
  title: 'Harvest',
  createdAt: 1,
  messageCount: 2,
};

const shared = {
  share: { id: share.id, title: 'Harvest', createdAt: 1, messageCount: 2 },
  messages: [
    { role: 'user', content: 'Hi', createdAt: 1 },
    { role: 'assistant', content: '**Hello**', createdAt: 1, model: 'local/echo' },
  ],
};

describe('createShareApi', () => {
  it("sends the owner's calls with the client token and returns the validated answers", async () => {
    const invoke = vi.fn<Invoke>(async (name) =>
      name === 'createShare' ? { share, created: true } : { shares: [share] },
    );
    const api = createShareApi(invoke, tokens());

    expect(await api.createShare('c1')).toEqual({ share, created: true });
    expect(await api.listShares('c1')).toEqual({ shares: [share] });
    expect(invoke.mock.calls).toEqual([
      ['createShare', { conversationId: 'c1', clientToken: 'token-1' }],
      ['listShares', { conversationId: 'c1', clientToken: 'token-1' }],
    ]);
  });

  it('when the token is refused, then it is renewed once and the call retried', async () => {
    const token = tokens();
    const invoke = vi.fn<Invoke>(async (_name, data) => {
      if (data.clientToken === 'token-1') throw new FunctionsError('unauthenticated', 'expired');
      return { revoked: true };
    });
    expect(await createShareApi(invoke, token).revokeShare(share.id)).toEqual({ revoked: true });
    expect(token.refresh).toHaveBeenCalledTimes(1);
  });

  it('reads a share with no client token, so a visitor who is not signed in can', async () => {
    const invoke = vi.fn<Invoke>(async () => shared);
    expect(await createShareApi(invoke).getSharedConversation(share.id)).toEqual(shared);
    expect(invoke).toHaveBeenCalledWith('getSharedConversation', { shareId: share.id });
  });

  it('when the answer has the wrong shape, then the error names the callable and the field', async () => {
    const api = createShareApi(async () => ({ share: shared.share, messages: 'none' }));
    await expect(api.getSharedConversation(share.id)).rejects.toThrow(
      /^getSharedConversation answered unexpectedly: messages/,
    );
  });

  it('a link that leads nowhere is not-found or a malformed id; a failed connection is not', () => {
    expect(isMissingShare(new FunctionsError('not-found', 'shareId: no such'))).toBe(true);
    expect(isMissingShare(new FunctionsError('invalid-argument', 'shareId: must be'))).toBe(true);
    expect(isMissingShare(new FunctionsError('internal', 'internal'))).toBe(false);
  });
});
