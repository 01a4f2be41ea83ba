// The account pages against the whole local stack: register a new account and land on the
// chat, be refused a mismatched or taken one, and ask for a password reset link, which the
// page confirms neutrally and the Auth emulator captures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStack, type Stack } from '@colonycraft/testing';
import { launchChromium, screenshot } from './browser.js';
import { eventually, text, watchErrors } from './chat-page.js';

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[] = [];

const EMAIL = `new-member-${Date.now()}@example.com`;
const PASSWORD = 'a long enough passphrase';
const CONFIRMATION = 'If an account exists for that address, a reset link is on its way.';

beforeAll(async () => {
  stack = await startStack({ ports: 'free', web: true });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  errors = watchErrors(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const field = (label: string) => page.getByLabel(label, { exact: true });
const alert = () => page.getByRole('alert');

describe('account pages', () => {
  it('when a visitor follows "Create an account" from sign-in, then the register form opens', async () => {
    await page.goto(`${stack.urls.web!}/sign-in`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/register$/);
    await eventually(() => page.getByRole('button', { name: 'Create account' }).isVisible()).toBe(
      true,
    );
    await screenshot(page, 'register-1280');
  });

  it('when the passwords differ, then the mismatch is named and nothing is sent', async () => {
    await field('Email').fill(EMAIL);
    await field('Password').fill(PASSWORD);
    await field('Confirm password').fill(`${PASSWORD}!`);
    await page.getByRole('button', { name: 'Create account' }).click();
    await eventually(() => text(alert())).toContain('The passwords do not match');
    expect(new URL(page.url()).pathname).toBe('/register');
  });

  it('when the form is right, then the account is created and the chat opens, signed in', async () => {
    await field('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await eventually(() => page.locator('header').textContent()).toContain(EMAIL);
  });

  it('when the new member signs out, then they are back at sign-in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
  });

  it('when someone registers the same address again, then they are told it is taken', async () => {
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/register$/);
    await field('Email').fill(EMAIL);
    await field('Password').fill(PASSWORD);
    await field('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await eventually(() => text(alert())).toContain('An account with that email already exists');
  });

  it('when a reset link is requested, then the page confirms neutrally and the email is sent', async () => {
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(/\/reset-password$/);
    await field('Email').fill(EMAIL);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await eventually(() => text(page.getByRole('status'))).toBe(CONFIRMATION);
    await screenshot(page, 'reset-password-1280');

    const response = await fetch(
      `${stack.urls.auth}/emulator/v1/projects/${stack.projectId}/oobCodes`,
    );
    expect(response.ok).toBe(true);
    const { oobCodes } = (await response.json()) as {
      oobCodes: { email: string; requestType: string }[];
    };
    expect(oobCodes).toContainEqual(
      expect.objectContaining({ email: EMAIL, requestType: 'PASSWORD_RESET' }),
    );
  });

  it('when the address has no account, then the answer is the same', async () => {
    await field('Email').fill(`nobody-${Date.now()}@example.com`);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await eventually(() => text(page.getByRole('status'))).toBe(CONFIRMATION);
    await expect(alert().count()).resolves.toBe(0);
  });

  it('leaves no page errors besides the refused registration', async () => {
    // The browser logs the Auth emulator's 400 answers (taken email, unknown address).
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });
});
