// Headless Chromium from Debian, driven by playwright-core (Playwright's own browser builds
// cannot be downloaded here). Screenshots go to artifacts/screenshots/, which git ignores.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoPath } from '@colonycraft/testing';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const screenshots = repoPath('artifacts', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshots, { recursive: true });
  const path = join(screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Every Content-Security-Policy violation on `page`, across its navigations: the
 * `securitypolicyviolation` events of the document, and the console's "Content Security
 * Policy" messages (which also report violations in workers and frames).
 */
export async function watchCspViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction('__cspViolation', (line: string) => violations.push(line));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __cspViolation: (line: string) => void })
        .__cspViolation;
      const where = event.sourceFile
        ? ` at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`
        : '';
      report(`${event.effectiveDirective} refused ${event.blockedURI || '(inline)'}${where}`);
    });
  });
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) {
      violations.push(`console: ${message.text()}`);
    }
  });
  return violations;
}
