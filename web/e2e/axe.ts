// The accessibility check every end-to-end page shares: axe-core, run in the page as it
// stands, reporting the serious and critical violations, one line each. Its source is
// evaluated through the DevTools protocol rather than added as a <script>, which the app's
// Content-Security-Policy (script-src 'self' and hashes) would rightly refuse.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults } from 'axe-core';

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

const BLOCKING = new Set(['serious', 'critical']);

/**
 * The serious and critical axe-core violations on `page` now, as `rule (impact): help — where`
 * lines (empty when there are none), so a failing test names each one and where it is.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run: (context: Document) => Promise<AxeResults> } }).axe.run(
      document,
    ),
  );
  return results.violations
    .filter((violation) => BLOCKING.has(violation.impact ?? ''))
    .flatMap((violation) =>
      violation.nodes.map(
        (node) =>
          `${violation.id} (${violation.impact}): ${violation.help} — ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`,
      ),
    );
}
