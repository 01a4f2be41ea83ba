import { FirebaseError } from 'firebase/app';
import { describe, expect, it } from 'vitest';
import { RESET_CONFIRMATION, resetOutcome, validateRegistration } from './account-form.ts';
import { describeError } from './errors.ts';

const valid = { email: 'ada@example.com', password: 'correct horse', confirm: 'correct horse' };

describe('validateRegistration', () => {
  it('when everything is filled in and the passwords match, then the form can be sent', () => {
    expect(validateRegistration(valid)).toBeUndefined();
  });

  it('when the email is blank, then the person is asked for it', () => {
    expect(validateRegistration({ ...valid, email: '   ' })?.summary).toBe(
      'Enter your email address.',
    );
  });

  it('when the password is empty, then the person is asked to choose one', () => {
    expect(validateRegistration({ ...valid, password: '', confirm: '' })?.summary).toBe(
      'Choose a password.',
    );
  });

  it('when the password is shorter than Firebase accepts, then the minimum is given', () => {
    expect(validateRegistration({ ...valid, password: 'abc12', confirm: 'abc12' })?.summary).toBe(
      'Choose a password of at least 6 characters.',
    );
  });

  it('when the confirmation differs, then the mismatch is named', () => {
    expect(validateRegistration({ ...valid, confirm: 'correct horse!' })?.summary).toBe(
      'The passwords do not match. Type the same one twice.',
    );
  });
});

describe('resetOutcome', () => {
  it('when the request succeeded, then the neutral confirmation is shown', () => {
    expect(resetOutcome()).toEqual({ sent: true });
    expect(RESET_CONFIRMATION).toBe(
      'If an account exists for that address, a reset link is on its way.',
    );
  });

  it('when there is no such user, then the answer is the same as for a real account', () => {
    const error = new FirebaseError(
      'auth/user-not-found',
      'Firebase: Error (auth/user-not-found).',
    );
    expect(resetOutcome(error)).toEqual({ sent: true });
  });

  it('when the address is malformed, then the person is told so', () => {
    const error = new FirebaseError('auth/invalid-email', 'Firebase: Error (auth/invalid-email).');
    expect(resetOutcome(error)).toEqual({
      sent: false,
      error: { summary: 'That email address does not look right.', code: 'auth/invalid-email' },
    });
  });

  it('when the service cannot be reached, then the person is told to check the connection', () => {
    const error = new FirebaseError(
      'auth/network-request-failed',
      'Firebase: Error (auth/network-request-failed).',
    );
    expect(resetOutcome(error)).toMatchObject({
      sent: false,
      error: { code: 'auth/network-request-failed' },
    });
  });
});

describe('describeError for registration', () => {
  it('when the email is taken, then the person is pointed to sign in or reset', () => {
    const error = new FirebaseError(
      'auth/email-already-in-use',
      'Firebase: Error (auth/email-already-in-use).',
    );
    expect(describeError(error)).toEqual({
      summary: 'An account with that email already exists. Sign in, or reset its password.',
      code: 'auth/email-already-in-use',
    });
  });

  it('when the password is too weak, then the minimum is given', () => {
    const error = new FirebaseError(
      'auth/weak-password',
      'Firebase: Password should be at least 6 characters (auth/weak-password).',
    );
    expect(describeError(error)).toMatchObject({
      summary: 'That password is too weak. Choose one of at least 6 characters.',
      code: 'auth/weak-password',
    });
  });
});
