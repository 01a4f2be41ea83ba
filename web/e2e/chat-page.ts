// What the end-to-end tests do on the chat page, in a person's terms: send a message, watch
// an answer, find a conversation in History. Locators go by role and label, as people do.
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const ECHO_PREFIX = "Hello from ColonyCraft's local model. You said: ";

/** Polls until the expectation holds; callables may take seconds on a cold emulator. */
export const eventually = <T>(read: () => T | Promise<T>) =>
  expect.poll(read, { timeout: 15_000, interval: 50 });

export const answers = (page: Page): Locator =>
  page.locator('[role="log"] [data-role="assistant"]');

export const questions = (page: Page): Locator => page.locator('[role="log"] [data-role="user"]');

/** A message's row: the message and its actions (Copy, Regenerate, Edit, Delete, versions). */
export const row = (message: Locator): Locator => message.locator('xpath=..');

/** The ‹ n/m › control of a message with versions. */
export const versionsOf = (message: Locator): Locator =>
  row(message).getByRole('group', { name: /^Versions of this/ });

export const historyNav = (page: Page): Locator =>
  page.getByRole('navigation', { name: 'History' });

export const messageBox = (page: Page): Locator => page.getByLabel('Message', { exact: true });

export async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').trim();
}

/** Types `message` and sends it with Enter (Shift+Enter in `message` is a new line). */
export async function send(page: Page, message: string): Promise<Locator> {
  const before = await answers(page).count();
  await messageBox(page).fill(message);
  await messageBox(page).press('Enter');
  const answer = answers(page).nth(before);
  await answer.waitFor();
  return answer;
}

export async function streamed(answer: Locator): Promise<void> {
  await answer
    .page()
    .waitForFunction(
      (element) => element?.getAttribute('aria-busy') === 'false',
      await answer.elementHandle(),
      { timeout: 20_000 },
    );
}

/** Samples the answer's text until it stops streaming. */
export async function sampleWhileStreaming(answer: Locator): Promise<string[]> {
  const seen = new Set<string>();
  while ((await answer.getAttribute('aria-busy')) === 'true') {
    seen.add(await text(answer));
    await answer.page().waitForTimeout(20);
  }
  return [...seen];
}

/** Page errors and console errors, so a failing test says what the page said. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** Nothing in the conversation can run script: no script was run, no active element is left. */
export async function expectInert(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  const log = page.locator('[role="log"]');
  expect(await log.locator('script, iframe, svg, img, object, embed, form').count()).toBe(0);
  const active = await log.evaluate((root) =>
    [...root.querySelectorAll('*')].flatMap((element) =>
      [...element.attributes]
        .filter((a) => a.name.startsWith('on') || /^\s*javascript:/i.test(a.value))
        .map((a) => `${element.tagName}[${a.name}]`),
    ),
  );
  expect(active).toEqual([]);
}

/** Elements narrower or shorter than a 44 px touch target, by their accessible name. */
export async function smallTargets(
  scope: Page | Locator,
  names: [role: 'button' | 'link', name: string][],
): Promise<string[]> {
  const small: string[] = [];
  for (const [role, name] of names) {
    const box = await scope.getByRole(role, { name, exact: true }).boundingBox();
    if (!box || box.height < 44 || box.width < 44) small.push(`${name}: ${JSON.stringify(box)}`);
  }
  return small;
}
