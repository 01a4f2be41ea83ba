// Images in the chat, against the whole local stack in Chromium: a text-only model offers no
// way to attach one; the vision model takes an image picked with the file input and one pasted,
// shows them as thumbnails, lets one be removed from the keyboard, sends the rest scaled in the
// browser (a 2000×1500 photo arrives as 1568×1176), and the local vision model says what it
// got; the sent message shows the images, and so does the conversation opened again from
// History; a file of the wrong type is refused in plain words; on a phone, one dropped on the
// composer is taken. All under the app's CSP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { greyPng, startStack, type Stack } from '@colonycraft/testing';
import { axeViolations } from './axe.js';
import { launchChromium, screenshot, watchCspViolations } from './browser.js';
import {
  answers,
  eventually,
  historyNav,
  messageBox,
  questions,
  streamed,
  text,
  watchErrors,
} from './chat-page.js';

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[] = [];
let violations: string[] = [];

const QUESTION = 'What are these pictures?';

beforeAll(async () => {
  stack = await startStack({ ports: 'free', web: true });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A 2000×1500 JPEG photo-like gradient, drawn by the browser itself. */
async function bigJpeg(): Promise<Buffer> {
  const base64 = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [2000, 1500];
    const context = canvas.getContext('2d')!;
    const gradient = context.createLinearGradient(0, 0, 2000, 1500);
    gradient.addColorStop(0, '#2a6');
    gradient.addColorStop(1, '#36c');
    context.fillStyle = gradient;
    context.fillRect(0, 0, 2000, 1500);
    const blob = await new Promise<Blob>((resolve) =>
      canvas.toBlob((b) => resolve(b!), 'image/jpeg', 0.9),
    );
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary);
  });
  return Buffer.from(base64, 'base64');
}

/** Pastes a 120×90 PNG into the message box, as a screenshot tool's Ctrl+V does. */
async function pasteImage(): Promise<void> {
  await messageBox(page).evaluate(async (box) => {
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [120, 90];
    canvas.getContext('2d')!.fillRect(0, 0, 120, 90);
    const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!)));
    const data = new DataTransfer();
    data.items.add(new File([blob], 'pasted.png', { type: 'image/png' }));
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  });
}

const member = () => stack.demoUsers.find((u) => u.role === 'member')!;
const picker = () => page.getByLabel('Model');
const fileInput = () => page.locator('input[type="file"]');
const thumbnails = () => page.getByRole('list', { name: 'Images to send' }).getByRole('img');
const sentImages = () => questions(page).last().getByRole('img');
/** Whether every image in `locator` has loaded (the CSP allows its blob: address). */
const loaded = (locator: ReturnType<Page['locator']>) =>
  locator.evaluateAll((images) => images.map((image) => (image as HTMLImageElement).naturalWidth));

describe('images in the chat', () => {
  it('when a text-only model is chosen, then there is no way to attach an image, and a note says why', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    errors = watchErrors(page);
    violations = await watchCspViolations(page);
    await page.goto(stack.urls.web!);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('Email').fill(member().email);
    await page.getByLabel('Password').fill(member().password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await eventually(() => picker().locator('option[value="local/vision-echo"]').count()).toBe(1);

    await picker().selectOption('local/echo');
    expect(await page.getByRole('button', { name: 'Add image' }).count()).toBe(0);
    expect(await fileInput().count()).toBe(0);
    await eventually(() =>
      page.getByText('This model reads text only: choose one that takes images').isVisible(),
    ).toBe(true);
  });

  it('when the vision model is chosen, then images picked and pasted show as thumbnails, and one is removed from the keyboard', async () => {
    await picker().selectOption('local/vision-echo');
    await eventually(() => page.getByRole('button', { name: 'Add image' }).isVisible()).toBe(true);

    await fileInput().setInputFiles({
      name: 'chart.png',
      mimeType: 'image/png',
      buffer: greyPng(64, 48),
    });
    await eventually(() => thumbnails().count()).toBe(1);
    await pasteImage();
    await eventually(() => thumbnails().count()).toBe(2);
    await fileInput().setInputFiles({
      name: 'field.jpg',
      mimeType: 'image/jpeg',
      buffer: await bigJpeg(),
    });
    await eventually(() => thumbnails().count()).toBe(3);
    expect(await thumbnails().evaluateAll((all) => all.map((i) => i.getAttribute('alt')))).toEqual([
      'chart.png',
      'pasted.png',
      'field.jpg',
    ]);
    expect((await loaded(thumbnails())).every((width) => width > 0)).toBe(true);
    await screenshot(page, 'images-composer-1280');
    // The thumbnails, their Remove buttons and the file input pass axe-core.
    expect(await axeViolations(page)).toEqual([]);

    const remove = page.getByRole('button', { name: 'Remove pasted.png' });
    await remove.focus();
    await page.keyboard.press('Enter');
    await eventually(() => thumbnails().count()).toBe(2);
    // The focus stays in the composer: on the next thumbnail's Remove.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Remove field.jpg',
    );
  });

  it('when the message is sent, then the model says what it got and the message shows the images', async () => {
    await messageBox(page).fill(QUESTION);
    await messageBox(page).press('Enter');
    const answer = answers(page).last();
    await answer.waitFor();
    await streamed(answer);
    expect(await text(answer)).toContain('You sent 2 images (PNG, 64×48; JPEG, 1568×1176).');
    expect(await thumbnails().count()).toBe(0);
    await eventually(() => sentImages().count()).toBe(2);
    await eventually(async () => (await loaded(sentImages())).every((w) => w > 0)).toBe(true);
    await page.waitForURL(/\/c\/[A-Za-z0-9]+$/);
    await screenshot(page, 'images-sent-1280');
  });

  it('when a file of another type is picked, then it is refused in plain words', async () => {
    await fileInput().setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not a picture'),
    });
    const alert = page.getByRole('alert');
    await eventually(() => text(alert)).toBe('Only PNG, JPEG, WebP or GIF images can be sent.');
    expect(await thumbnails().count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'images-wrong-type-1280');
  });

  it('when the conversation is opened again from History, then its images are there', async () => {
    await historyNav(page).getByRole('button', { name: 'New chat' }).click();
    await eventually(() => questions(page).count()).toBe(0);
    await historyNav(page).getByRole('link', { name: QUESTION }).click();
    await eventually(() => sentImages().count()).toBe(2);
    await eventually(() => loaded(sentImages())).toEqual([64, 1568]);
    expect(await sentImages().first().getAttribute('alt')).toBe(
      'Image 1 of 2 sent with this message',
    );

    // And after a full reload of its address.
    await page.reload();
    await eventually(() => loaded(sentImages())).toEqual([64, 1568]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'images-history-1280');
  });

  it('on a 390 px phone, the images and the composer fit, and an image dropped on the composer is taken', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await eventually(() => loaded(sentImages())).toEqual([64, 1568]);
    // Dropped on the composer, as from a file manager.
    await page.locator('form.composer').evaluate(
      (form, bytes) => {
        const data = new DataTransfer();
        const file = new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' });
        data.items.add(file);
        form.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true }));
        form.dispatchEvent(
          new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }),
        );
      },
      [...greyPng(64, 48)],
    );
    await eventually(() => thumbnails().count()).toBe(1);
    expect(await thumbnails().first().getAttribute('alt')).toBe('dropped.png');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    expect(overflow).toBe(false);
    await screenshot(page, 'images-390');
    expect(errors).toEqual([]);
    expect(violations).toEqual([]);
  });
});
