import { FunctionsError } from 'firebase/functions';
import { describe, expect, it, vi } from 'vitest';
import { createGatewayApi, type Invoke } from './gateway-api.ts';

const tokens = () => ({
  get: vi.fn(async () => 'token-1'),
  refresh: vi.fn(async () => 'token-2'),
});

const page = {
  conversations: [{ id: 'c1', title: 'Hi', createdAt: 1, updatedAt: 2, messageCount: 2 }],
  nextCursor: 'next',
};

describe('createGatewayApi', () => {
  it('sends the client token and the page request, and returns the validated answer', async () => {
    const invoke = vi.fn<Invoke>(async () => page);
    const api = createGatewayApi(invoke, tokens());

    expect(await api.listConversations('cursor-1')).toEqual(page);
    expect(invoke).toHaveBeenCalledWith('listConversations', {
      pageSize: 20,
      cursor: 'cursor-1',
      clientToken: 'token-1',
    });
  });

  it('when asking for the first page, then no cursor is sent', async () => {
    const invoke = vi.fn<Invoke>(async () => page);
    await createGatewayApi(invoke, tokens()).listConversations();
    expect(invoke.mock.calls[0]?.[1]).not.toHaveProperty('cursor');
  });

  it('when the token is refused, then it is renewed once and the call retried', async () => {
    const token = tokens();
    const invoke = vi.fn<Invoke>(async (_name, data) => {
      if (data.clientToken === 'token-1') throw new FunctionsError('unauthenticated', 'expired');
      return { deleted: true };
    });
    expect(await createGatewayApi(invoke, token).deleteConversation('c1')).toEqual({
      deleted: true,
    });
    expect(token.refresh).toHaveBeenCalledTimes(1);
  });

  it('when another error happens, then it is passed on without a retry', async () => {
    const token = tokens();
    const invoke = vi.fn<Invoke>(async () => {
      throw new FunctionsError('not-found', 'conversationId: no such conversation');
    });
    await expect(createGatewayApi(invoke, token).getConversation('c1')).rejects.toMatchObject({
      code: 'functions/not-found',
    });
    expect(token.refresh).not.toHaveBeenCalled();
  });

  it('when the answer has the wrong shape, then the error names the callable and the field', async () => {
    const api = createGatewayApi(async () => ({ models: 'none' }), tokens());
    await expect(api.listModels()).rejects.toThrow(/^listModels answered unexpectedly: models/);
  });
});
