import { FirebaseError } from 'firebase/app';
import { FunctionsError } from 'firebase/functions';
import { describe, expect, it } from 'vitest';
import { describeError, formatUserError, isPlainWords, toUserError } from './errors.ts';

describe('describeError', () => {
  it('when a callable rejects the input, then the person is told so, and the server’s field-path reason is kept folded away', () => {
    const error = new FunctionsError(
      'invalid-argument',
      'messages: must hold at least one message',
    );
    expect(describeError(error)).toEqual({
      summary: 'The request was rejected. Change it and try again.',
      technical: 'messages: must hold at least one message',
      code: 'functions/invalid-argument',
    });
  });

  it('when a conversation is not found, then it says so in plain words, not the server’s', () => {
    const error = new FunctionsError('not-found', 'conversationId: no such conversation');
    expect(describeError(error)).toEqual({
      summary: 'This conversation does not exist. It may have been deleted.',
      technical: 'conversationId: no such conversation',
      code: 'functions/not-found',
    });
  });

  it('when the token is refused, then the person is told to sign in again', () => {
    const error = new FunctionsError('unauthenticated', 'The client token has expired.');
    expect(describeError(error)).toMatchObject({
      summary: 'Your session has expired. Sign out and sign in again.',
      detail: 'The client token has expired',
      code: 'functions/unauthenticated',
    });
  });

  it('when the provider is unavailable, then the advice is to try again', () => {
    const error = new FunctionsError('unavailable', 'The provider is overloaded.');
    expect(formatUserError(describeError(error))).toBe(
      'The model’s provider is unavailable right now. Try again in a moment, or try another model. (The provider is overloaded)',
    );
  });

  it('when the SDK could not reach the server (bare "internal"), then it reads as a connection problem', () => {
    expect(describeError(new FunctionsError('internal', 'internal'))).toEqual({
      summary: 'Could not reach the server. Check your connection and try again.',
      code: 'functions/internal',
    });
  });

  it('when the SDK adds the HTTP status to the message, then the status is dropped', () => {
    expect(describeError(new FunctionsError('internal', 'internal [0]'))).toEqual({
      summary: 'Could not reach the server. Check your connection and try again.',
      code: 'functions/internal',
    });
    expect(
      describeError(new FunctionsError('not-found', 'no such conversation [404]')).detail,
    ).toBe('no such conversation');
  });

  it('when fetch itself fails, then it reads as a connection problem', () => {
    expect(describeError(new TypeError('Failed to fetch')).summary).toMatch(/connection/);
  });

  it('when sign-in fails, then it says what to do and drops Firebase’s empty wrapping', () => {
    const error = new FirebaseError(
      'auth/invalid-credential',
      'Firebase: Error (auth/invalid-credential).',
    );
    expect(describeError(error)).toEqual({
      summary: 'Wrong email or password. Check both and try again.',
      code: 'auth/invalid-credential',
    });
  });

  it('when the error is unknown, then a generic message still keeps its text', () => {
    expect(describeError(new Error('boom'))).toEqual({
      summary: 'Something went wrong. Try again.',
      detail: 'boom',
    });
  });
});

describe('toUserError', () => {
  it('shows plain words under the summary, and folds away a field path or a code', () => {
    expect(toUserError('Rate limited', 'Request rate limit reached.', 'functions/x')).toEqual({
      summary: 'Rate limited',
      detail: 'Request rate limit reached.',
      code: 'functions/x',
    });
    expect(toUserError('Could not save.', 'title: must not be empty')).toEqual({
      summary: 'Could not save.',
      technical: 'title: must not be empty',
    });
    expect(toUserError('Failed.', 'Error (auth/wrong-password)')).toMatchObject({
      technical: 'Error (auth/wrong-password)',
    });
  });

  it('tells plain words from the machinery’s', () => {
    expect(isPlainWords('The provider is overloaded')).toBe(true);
    expect(isPlainWords('Try again in 2 s: the provider is busy')).toBe(true);
    expect(isPlainWords('conversationId: no such conversation')).toBe(false);
    expect(isPlainWords('messages.0.content: too long')).toBe(false);
    expect(isPlainWords('refused (functions/resource-exhausted)')).toBe(false);
  });
});
