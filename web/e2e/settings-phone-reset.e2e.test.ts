// Settings, the phone's header and password reset, on one local stack. Settings (theme,
// default model, default system prompt) are saved at 1280 and follow the person to another
// browser at 390×844, where the header's Account menu, 44 px touch targets, the compact model
// picker and the folded system prompt are checked. Password reset is finished inside the app: a reset is asked for on
// /reset-password, its code read from the Auth emulator's captured email
// (`/emulator/v1/projects/{project}/oobCodes`), our page opened with it as the email's link
// would (`?mode=resetPassword&oobCode=…`), a new password set and signed in with. Screenshots at
// 1280×800 and 390×844; axe-core (e2e/axe.ts) finds no serious or critical violation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStack, type Stack } from '@colonycraft/testing';
import { axeViolations } from './axe.js';
import { launchChromium, screenshot } from './browser.js';
import { eventually, smallTargets, text, watchErrors } from './chat-page.js';

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
});

const PIRATE = 'Answer like a pirate, briefly.';

/** Waits out the colour transitions a theme change starts, so axe sees the final colours. */
async function settled(p: Page) {
  await p.waitForFunction(() => document.getAnimations().length === 0);
}

describe('settings that follow the person, and the phone', () => {
  let firstModel = '';
  let chosenModel = '';
  let small: Page;

  it('when Settings are saved at 1280, then the theme applies at once', async () => {
    // Signed in as the member whose password was reset above.
    // The first catalog call may wait for a cold Functions emulator.
    await page.locator('#model option').nth(1).waitFor({ state: 'attached', timeout: 60_000 });
    firstModel = await page.locator('#model').inputValue();
    const offered = await page
      .locator('#model option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    chosenModel = offered.find((id) => id && id !== firstModel)!;
    expect(chosenModel).toBeTruthy();

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/\/settings$/);
    await page.getByRole('radio', { name: 'Dark' }).check();
    await page
      .locator('#default-model option')
      .nth(2)
      .waitFor({ state: 'attached', timeout: 60_000 });
    await page.getByLabel('Default model').selectOption(chosenModel);
    await page.getByLabel('Default system prompt').fill(PIRATE);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await eventually(() => text(page.getByRole('status'))).toBe('Settings saved.');
    await expect(page.locator('html').getAttribute('data-theme')).resolves.toBe('dark');
    await settled(page);
    await expect(axeViolations(page)).resolves.toEqual([]);
    await screenshot(page, 'settings-1280');
  });

  it('when the chat opens, then a new chat starts with the default model and system prompt', async () => {
    await page.getByRole('link', { name: 'ColonyCraft' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await eventually(() => page.locator('#model').inputValue()).toBe(chosenModel);
    await expect(page.locator('#system-prompt').inputValue()).resolves.toBe(PIRATE);
  });

  it('when the person signs in on a phone, another browser, then their settings are applied', async () => {
    small = await phone.newPage();
    errors.push(...watchErrors(small));
    await signIn(small, EMAIL, NEW_PASSWORD);
    await small.waitForURL((url) => url.pathname === '/');
    await eventually(() => small.locator('html').getAttribute('data-theme')).toBe('dark');
    await eventually(() => small.locator('#model').inputValue()).toBe(chosenModel);
    await expect(small.locator('#system-prompt').inputValue()).resolves.toBe(PIRATE);
    await screenshot(small, 'chat-phone-390');
  });

  it('when the phone shows the chat, then the header has an Account menu, not the email', async () => {
    const header = small.locator('header');
    await expect(header.locator('.email').isVisible()).resolves.toBe(false);
    const toggle = small.getByRole('button', { name: 'Account' });
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
    await toggle.click();
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
    const menu = small.getByRole('navigation', { name: 'Account' });
    await expect(text(menu)).resolves.toContain(EMAIL);
    await expect(
      smallTargets(small, [
        ['button', 'History'],
        ['button', 'Account'],
        ['link', 'Settings'],
        ['link', 'API keys'],
        ['button', 'Sign out'],
      ]),
    ).resolves.toEqual([]);
    await expect(axeViolations(small)).resolves.toEqual([]);
    await screenshot(small, 'account-menu-390');
    await small.keyboard.press('Escape');
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(
      small.evaluate(() => document.activeElement?.textContent?.trim()),
    ).resolves.toContain('Account');
  });

  it('when the phone shows the chat, then the picker is compact and the system prompt folded', async () => {
    const picker = await small.locator('#model').boundingBox();
    expect(picker!.height).toBeGreaterThanOrEqual(44);
    expect(picker!.height).toBeLessThan(60);
    await expect(small.locator('#model-summary').isVisible()).resolves.toBe(false);
    const folded = small.locator('details.system');
    await expect(folded.getAttribute('open')).resolves.toBeNull();
    const summary = await folded.locator('summary').boundingBox();
    expect(summary!.height).toBeGreaterThanOrEqual(44);
    // Above the message list, the picker and the folded prompt take well under a third of 844.
    const toolbar = await small.locator('.toolbar').boundingBox();
    expect(toolbar!.height).toBeLessThan(844 / 6);
    await expect(text(folded.locator('summary'))).resolves.toBe('System prompt · on');
  });

  it('when Settings opens from the phone menu, then Light applies and the page passes axe', async () => {
    await small.getByRole('button', { name: 'Account' }).click();
    await small
      .getByRole('navigation', { name: 'Account' })
      .getByRole('link', { name: 'Settings' })
      .click();
    await small.waitForURL(/\/settings$/);
    await eventually(() => small.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);
    await expect(axeViolations(small)).resolves.toEqual([]);
    await screenshot(small, 'settings-dark-390');
    await small.getByRole('radio', { name: 'Light' }).check();
    await small.getByRole('button', { name: 'Save settings' }).click();
    await eventually(() => text(small.getByRole('status'))).toBe('Settings saved.');
    await expect(small.locator('html').getAttribute('data-theme')).resolves.toBe('light');
    await settled(small);
    await expect(axeViolations(small)).resolves.toEqual([]);
    await screenshot(small, 'settings-light-390');
  });

  it('when the person signs out from the phone menu, then sign-in shows in the system theme', async () => {
    await small.getByRole('button', { name: 'Account' }).click();
    await small.getByRole('button', { name: 'Sign out' }).click();
    await small.waitForURL(/\/sign-in$/);
    await expect(small.locator('html').getAttribute('data-theme')).resolves.toBeNull();
  });

  it('leaves no page errors besides the refused code and password', async () => {
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });
});
