// What people who come from ChatGPT or Open WebUI expect of everyday use (issue 18), against
// one local stack: the keyboard (shortcuts, the sheet on `?`, a skip link, the message box
// before History in Tab order). Screenshots at 1280 and 390 px.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startStack, type Stack } from '@colonycraft/testing';
import { launchChromium, screenshot, watchCspViolations } from './browser.js';
import {
  answers,
  eventually,
  historyNav,
  messageBox,
  send,
  streamed,
  watchErrors,
} from './chat-page.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ ports: 'free', web: true });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const member = () => stack.demoUsers.find((u) => u.role === 'member')!;

async function signedInPage(width = 1280, height = 800): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await page.goto(stack.urls.web!);
  await page.waitForURL((url) => url.pathname === '/sign-in');
  await page.getByLabel('Email').fill(member().email);
  await page.getByLabel('Password').fill(member().password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await eventually(() => page.locator('option[value="local/echo"]').count()).toBe(1);
  await page.getByLabel('Model').selectOption('local/echo');
  return page;
}

/** What has the focus, in a person's words: its label, its aria-label or its text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return '';
    const label = element.id ? document.querySelector(`label[for="${element.id}"]`) : null;
    return (label?.textContent ?? element.getAttribute('aria-label') ?? element.textContent ?? '')
      .trim()
      .replace(/\s+/g, ' ');
  });

const sheet = (page: Page) => page.getByRole('dialog', { name: 'Keyboard shortcuts' });

describe('keyboard', () => {
  it('when Tab is pressed first, then a skip link leads past History to the message box, which comes before History', async () => {
    const page = await signedInPage();
    const errors = watchErrors(page);
    // Tab from the top of the page (the chat puts the cursor in the message box as it opens).
    const fromTheTop = () =>
      page.evaluate(() => {
        document.body.tabIndex = -1;
        document.body.focus();
        document.body.removeAttribute('tabindex');
      });
    await fromTheTop();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Skip to the message box');
    await screenshot(page, 'keyboard-skip-link-1280');
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('Message');

    // From the top of the page, Tab reaches the message box before anything in History.
    await fromTheTop();
    const order: string[] = [];
    for (let i = 0; i < 25 && !order.includes('New chat'); i += 1) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    expect(order).toContain('Message');
    expect(order).toContain('New chat');
    expect(order.indexOf('Message')).toBeLessThan(order.indexOf('New chat'));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('when ? is pressed outside a field, then the shortcuts sheet opens; in the message box it is a question mark', async () => {
    const page = await signedInPage();
    const violations = await watchCspViolations(page);
    await messageBox(page).fill('Why');
    await messageBox(page).press('?');
    expect(await messageBox(page).inputValue()).toBe('Why?');
    expect(await sheet(page).count()).toBe(0);

    await page.getByRole('button', { name: 'History' }).focus();
    await page.keyboard.press('?');
    await eventually(() => sheet(page).isVisible()).toBe(true);
    const rows = await sheet(page).locator('.row').allInnerTexts();
    expect(rows.map((row) => row.replace(/\s+/g, ' ').trim())).toEqual([
      'New chat Ctrl + Shift + O',
      'Focus the message box Shift + Esc',
      'Show or hide History Ctrl + Shift + S',
      'Show these shortcuts ?',
    ]);
    await screenshot(page, 'keyboard-shortcuts-1280');
    await page.keyboard.press('Escape');
    await eventually(() => sheet(page).isVisible()).toBe(false);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('when Shift+Esc, Ctrl+Shift+S and Ctrl+Shift+O are pressed, then they focus the message box, hide and show History, and start a new chat', async () => {
    const page = await signedInPage();
    await page.getByLabel('Model').focus();
    await page.keyboard.press('Shift+Escape');
    expect(await focused(page)).toBe('Message');

    await page.keyboard.press('Control+Shift+S');
    await eventually(() => historyNav(page).isVisible()).toBe(false);
    const toggle = page.getByRole('button', { name: 'History' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Control+Shift+S');
    await eventually(() => historyNav(page).isVisible()).toBe(true);

    const answer = await send(page, 'Remember the northern ridge.');
    await streamed(answer);
    await page.waitForURL(/\/c\/[A-Za-z0-9]+$/);
    await page.getByLabel('Model').focus();
    await page.keyboard.press('Control+Shift+O');
    await page.waitForURL((url) => url.pathname === '/');
    await eventually(() => answers(page).count()).toBe(0);
    expect(await focused(page)).toBe('Message');
    await page.context().close();
  });

  it('on a phone, Ctrl+Shift+S opens and closes the History drawer and ? shows the sheet', async () => {
    const page = await signedInPage(390, 844);
    expect(await historyNav(page).isVisible()).toBe(false);
    await page.keyboard.press('Control+Shift+S');
    await eventually(() => historyNav(page).isVisible()).toBe(true);
    await page.keyboard.press('Control+Shift+S');
    await eventually(() => historyNav(page).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'History' }).focus();
    await page.keyboard.press('?');
    await eventually(() => sheet(page).isVisible()).toBe(true);
    await screenshot(page, 'keyboard-shortcuts-390');
    await page.context().close();
  });
});
