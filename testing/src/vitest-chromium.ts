// Vitest globalSetup of the web workspace: its end-to-end tests (e2e/) drive Chromium, so a run
// that includes them and finds no browser stops at once with one message naming CHROMIUM_PATH
// and the package to install, instead of every e2e file failing on its own. A run of the unit
// tests alone (`npx vitest run --project web src`) does not need the browser and is let be.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromiumProblem } from './test-services.js';
import { stopRunWith } from './vitest-services.js';

interface Project {
  config: { root: string };
  vitest: unknown;
}

export default async function setup(project: Project): Promise<void> {
  const problem = chromiumProblem();
  if (problem && runsEndToEndTests(project)) await stopRunWith(problem);
}

/**
 * Whether this run may include a file of e2e/. Vitest does not tell global setup which files
 * it will run; the command line's file filters (on its `filenamePattern`, not a public field)
 * do, as substrings of paths. Without filters, or without that field, every file runs.
 */
function runsEndToEndTests(project: Project): boolean {
  const filters = (project.vitest as { filenamePattern?: unknown }).filenamePattern;
  if (!Array.isArray(filters) || filters.length === 0) return true;
  const dir = join(project.config.root, 'e2e');
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.e2e.test.ts'))
    .map((name) => join(dir, name));
  return filters.some((filter) => {
    const text = String(filter).replace(/:\d+$/, '');
    return files.some((file) => file.includes(text) || file.startsWith(resolve(text)));
  });
}
