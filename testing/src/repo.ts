// Where the repository's parts are, from this module's own location (src/ or dist/ alike).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const repoPath = (...parts: string[]): string => join(repoRoot, ...parts);

/** The project id every local stack uses: the `demo-` prefix keeps the emulators offline. */
export const DEMO_PROJECT_ID = 'demo-colonycraft';
