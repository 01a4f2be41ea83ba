// History search in Chromium against one local stack: conversations made by chatting, found
// by a word of an answer and by a word of a (renamed) title, a result opened, the search
// cleared with Escape; a message holding HTML shown as text in a snippet; "No conversations
// match"; the phone's drawer. Screenshots at 1280×800 and 390×844, axe with results shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startStack, type Stack } from '@colonycraft/testing';
import { axeViolations } from './axe.js';
import { launchChromium, screenshot } from './browser.js';
import {
  eventually,
  historyNav,
  questions,
  send,
  streamed,
  text,
  watchErrors,
} from './chat-page.js';

/**
 * For a callable's first call: the Functions emulator starts a worker per function, which on a
 * busy two-core machine has taken more than `eventually`'s 15 s.
 */
const slowly = <T>(read: () => T | Promise<T>) =>
  expect.poll(read, { timeout: 60_000, interval: 100 });

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

async function signedInPage(width: number, height: number): Promise<Page> {
  const member = stack.demoUsers.find((u) => u.role === 'member')!;
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await page.goto(stack.urls.web!);
  await page.waitForURL((url) => url.pathname === '/sign-in');
  await page.getByLabel('Email').fill(member.email);
  await page.getByLabel('Password').fill(member.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await slowly(() => page.locator('option[value="local/echo"]').count()).toBe(1);
  await page.getByLabel('Model').selectOption('local/echo');
  return page;
}

const searchField = (page: Page): Locator =>
  page.getByRole('searchbox', { name: 'Search conversations' });
const results = (page: Page): Locator =>
  historyNav(page).getByRole('region', { name: 'Search results' });
const resultLinks = (page: Page): Locator => results(page).getByRole('link');
const marks = (locator: Locator) => locator.locator('mark').allInnerTexts();
const titlesFound = (page: Page) => results(page).locator('.title').allInnerTexts();

/** Types a query and waits for its answer (the last query's results show until then). */
async function searchFor(page: Page, query: string, wait = eventually): Promise<void> {
  await searchField(page).fill(query);
  await wait(() => text(results(page).getByRole('status'))).not.toBe('Searching…');
}

async function chat(page: Page, message: string, wait = eventually): Promise<void> {
  await page.getByRole('button', { name: 'New chat' }).click();
  await streamed(await send(page, message));
  // The new conversation is listed once its answer is stored.
  await wait(() => historyNav(page).getByRole('link', { name: message, exact: true }).count()).toBe(
    1,
  );
}

describe('History search', () => {
  it('when a person searches by a word of an answer and of a title, then the conversations are found, open, and Escape brings History back', async () => {
    const page = await signedInPage(1280, 800);
    const errors = watchErrors(page);
    await chat(page, 'Plan the okapi migration', slowly);
    await chat(page, 'Count the penguin colonies');
    await chat(page, '<img src=x onerror="window.__pwned=1"> lemming census');

    // A word only the answers hold: local/echo's greeting.
    await searchFor(page, 'colonycraft', slowly);
    expect(await resultLinks(page).count()).toBe(3);
    expect(await text(results(page).getByRole('status'))).toBe('3 conversations');
    expect(await historyNav(page).getByRole('region', { name: 'Today' }).count()).toBe(0);
    for (const link of await resultLinks(page).all()) {
      expect(await marks(link)).toEqual(['ColonyCraft']);
    }

    // Half a word, two words, any case: all must match, at the start of words.
    await searchFor(page, 'OKA migr');
    expect(await titlesFound(page)).toEqual(['Plan the okapi migration']);

    // A message holding HTML is shown as text; nothing of it becomes an element.
    await searchFor(page, 'lemming');
    expect(await resultLinks(page).count()).toBe(1);
    const lemming = resultLinks(page).first();
    // (The title, made from the question, is its newest match: shown as text too.)
    expect(await text(lemming)).toContain('<img src=x onerror=');
    expect(await results(page).locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();

    // A title: renamed to words no message holds.
    await searchField(page).fill('');
    await historyNav(page)
      .getByRole('button', { name: 'Rename “Count the penguin colonies”' })
      .click();
    await historyNav(page).getByLabel('Title').fill('Zebra logistics');
    await historyNav(page).getByLabel('Title').press('Enter');
    await eventually(() =>
      historyNav(page).getByRole('link', { name: 'Zebra logistics' }).count(),
    ).toBe(1);
    await searchFor(page, 'zebra');
    expect(await titlesFound(page)).toEqual(['Zebra logistics']);
    const zebra = resultLinks(page).first();
    expect(await marks(zebra)).toEqual(['Zebra']);
    expect(await zebra.locator('.snippet').count()).toBe(0);

    await searchFor(page, 'xylophone');
    expect(await text(results(page).getByRole('status'))).toBe('No conversations match');

    // Results shown for the screenshot and axe.
    await searchFor(page, 'the');
    expect(await resultLinks(page).count()).toBe(2);
    await screenshot(page, 'history-search-1280');
    expect(await axeViolations(page)).toEqual([]);

    // Opening a result opens its conversation.
    await searchFor(page, 'okapi');
    expect(await titlesFound(page)).toEqual(['Plan the okapi migration']);
    await resultLinks(page).first().click();
    await page.waitForURL((url) => url.pathname.startsWith('/c/'));
    await eventually(() => text(questions(page).first())).toContain('Plan the okapi migration');

    // Escape clears the search: History's date groups are back.
    await searchField(page).focus();
    await page.keyboard.press('Escape');
    expect(await searchField(page).inputValue()).toBe('');
    await eventually(() => historyNav(page).getByRole('region', { name: 'Today' }).count()).toBe(1);
    expect(await results(page).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);

  // The first test's conversations, searched again from a phone.
  it('on a phone, the drawer searches too, and opening a result closes it', async () => {
    const page = await signedInPage(390, 844);
    await page.getByRole('button', { name: 'History' }).click();
    await searchFor(page, 'penguin');
    expect(await titlesFound(page)).toEqual(['Zebra logistics']);
    expect(await marks(resultLinks(page).first())).toContain('penguin');
    await screenshot(page, 'history-search-390');
    expect(await axeViolations(page)).toEqual([]);
    await resultLinks(page).first().click();
    await page.waitForURL((url) => url.pathname.startsWith('/c/'));
    await eventually(() => historyNav(page).isVisible()).toBe(false);
    await page.context().close();
  }, 120_000);
});
