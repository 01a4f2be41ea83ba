// Password reset finished inside the app, on one local stack: a reset is asked for on
// /reset-password, its code read from the Auth emulator's captured email
// (`/emulator/v1/projects/{project}/oobCodes`), our page opened with it as the email's link
// would (`?mode=resetPassword&oobCode=…`), a new password set and signed in with. Screenshots at
// 1280×800 and 390×844; axe-core (e2e/axe.ts) finds no serious or critical violation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStack, type Stack } from '@colonycraft/testing';
import { axeViolations } from './axe.js';
import { launchChromium, screenshot } from './browser.js';
import { eventually, text, watchErrors } from './chat-page.js';

let stack: Stack;
let browser: Browser;
let desktop: BrowserContext;
let phone: BrowserContext;
let page: Page;
let errors: string[] = [];

const EMAIL = `resetting-${Date.now()}@example.com`;
const OLD_PASSWORD = 'the first passphrase';
const NEW_PASSWORD = 'a brand new passphrase';

beforeAll(async () => {
  stack = await startStack({ ports: 'free', web: true });
  browser = await launchChromium();
  desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    hasTouch: true,
    isMobile: true,
  });
  page = await desktop.newPage();
  errors = watchErrors(page);
  const created = await fetch(
    `${stack.urls.auth}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-api-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: OLD_PASSWORD, returnSecureToken: true }),
    },
  );
  expect(created.ok).toBe(true);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const field = (p: Page, label: string) => p.getByLabel(label, { exact: true });

/** The newest password-reset code the Auth emulator captured for `email`. */
async function resetCode(email: string): Promise<string> {
  const response = await fetch(
    `${stack.urls.auth}/emulator/v1/projects/${stack.projectId}/oobCodes`,
  );
  const { oobCodes } = (await response.json()) as {
    oobCodes: { email: string; requestType: string; oobCode: string }[];
  };
  const codes = oobCodes.filter((c) => c.email === email && c.requestType === 'PASSWORD_RESET');
  expect(codes.length).toBeGreaterThan(0);
  return codes.at(-1)!.oobCode;
}

async function signIn(p: Page, email: string, password: string) {
  await p.goto(`${stack.urls.web!}/sign-in`);
  await field(p, 'Email').fill(email);
  await field(p, 'Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

describe('password reset inside the app', () => {
  let code = '';

  it('when a reset is asked for, then the emulator captures a code for our page', async () => {
    await page.goto(`${stack.urls.web!}/reset-password`);
    await field(page, 'Email').fill(EMAIL);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await eventually(() => text(page.getByRole('status'))).toContain('a reset link is on its way');
    await eventually(() => resetCode(EMAIL).catch(() => '')).not.toBe('');
    code = await resetCode(EMAIL);
  });

  it('when the link is opened, then our page names the account and asks for the new password', async () => {
    await page.goto(`${stack.urls.web!}/reset-password?mode=resetPassword&oobCode=${code}`);
    await eventually(() => text(page.locator('form'))).toContain(`For ${EMAIL}.`);
    await expect(axeViolations(page)).resolves.toEqual([]);
    await screenshot(page, 'choose-password-1280');

    const small = await phone.newPage();
    await small.goto(`${stack.urls.web!}/reset-password?mode=resetPassword&oobCode=${code}`);
    await eventually(() => field(small, 'New password').isVisible()).toBe(true);
    await expect(axeViolations(small)).resolves.toEqual([]);
    await screenshot(small, 'choose-password-390');
    await small.close();
  });

  it('when the two passwords differ, then nothing is set and the mismatch is named', async () => {
    await field(page, 'New password').fill(NEW_PASSWORD);
    await field(page, 'Confirm new password').fill(`${NEW_PASSWORD}!`);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await eventually(() => text(page.getByRole('alert'))).toContain('The passwords do not match');
  });

  it('when the new password is set, then the page says so and offers sign-in', async () => {
    await field(page, 'Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await eventually(() => text(page.getByRole('status'))).toBe(
      'Your password has been changed. Sign in with the new one.',
    );
    await expect(
      page.getByRole('link', { name: 'Sign in', exact: true }).isVisible(),
    ).resolves.toBe(true);
    await screenshot(page, 'password-changed-1280');
  });

  it('when the same link is opened again, then it is refused in plain words', async () => {
    await page.goto(`${stack.urls.web!}/reset-password?mode=resetPassword&oobCode=${code}`);
    await eventually(() => text(page.getByRole('alert'))).toContain('This reset link is not valid');
    await expect(page.getByRole('link', { name: 'Ask for a new link' }).isVisible()).resolves.toBe(
      true,
    );
    await expect(axeViolations(page)).resolves.toEqual([]);
  });

  it('when the old password is tried, then it is refused; the new one signs in', async () => {
    await signIn(page, EMAIL, OLD_PASSWORD);
    await eventually(() => text(page.getByRole('alert'))).toContain('Wrong email or password');
    await signIn(page, EMAIL, NEW_PASSWORD);
    await page.waitForURL((url) => url.pathname === '/');
    await eventually(() => page.locator('header').textContent()).toContain(EMAIL);
  });

  it('leaves no page errors besides the refused code and password', async () => {
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });
});
