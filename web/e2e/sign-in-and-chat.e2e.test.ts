// The foundation's promise, as a person would see it: open the web app served by the Hosting
// emulator, sign in as the seeded member, and watch the local model's answer stream in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStack, type Stack } from '@colonycraft/testing';
import { launchChromium, screenshot } from './browser.js';

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  stack = await startStack({ ports: 'free', web: true });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const member = () => stack.demoUsers.find((u) => u.role === 'member')!;

describe('sign in and chat', () => {
  it('when a visitor opens the app, then they are sent to sign in', async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    await page.goto(stack.urls.web!);
    await page.waitForURL(/\/sign-in$/);
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    await screenshot(page, 'sign-in-1280');
  });

  it('when the seeded member signs in, then the chat opens and shows who is signed in', async () => {
    await page.getByLabel('Email').fill(member().email);
    await page.getByLabel('Password').fill(member().password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expect.poll(() => page.locator('header').textContent()).toContain(member().email);
  });

  it('when the member sends a message, then the answer streams in piece by piece and completes', async () => {
    const message = 'What does a colony need first?';
    await page.getByLabel('Message').fill(message);
    await page.getByLabel('Message').press('Enter');

    const answer = page.locator('[role="log"] [data-role="assistant"]').last();
    await answer.waitFor();
    await expect
      .poll(async () =>
        (await page.locator('[role="log"] [data-role="user"]').last().textContent())?.trim(),
      )
      .toBe(message);

    // Sample the answer while it streams: it must grow through partial states, not appear whole.
    const expected = `Hello from ColonyCraft's local model. You said: ${message}`;
    const seen = new Set<string>();
    while ((await answer.getAttribute('aria-busy')) === 'true') {
      seen.add(((await answer.textContent()) ?? '').trim());
      await page.waitForTimeout(20);
    }
    const partials = [...seen].filter((text) => text.length > 0 && text !== expected);
    expect(partials.length).toBeGreaterThan(0);
    for (const partial of partials) expect(expected.startsWith(partial)).toBe(true);
    await expect.poll(async () => (await answer.textContent())?.trim()).toBe(expected);
    await screenshot(page, 'chat-1280');
  });

  it('shows the same chat on a 390 px phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.getByLabel('Message').isVisible()).toBe(true);
    await screenshot(page, 'chat-390');
  });

  it('when the member signs out, then they are back at sign-in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
  });
});
