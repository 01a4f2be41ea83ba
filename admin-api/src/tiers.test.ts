// The tiers' rule: `domain/` (use cases), `data/` (SQL) and `lib/` (helpers) never import the
// HTTP layer (`http/`) or the routes, so the arrows only point down and a use case runs without
// Express. It reads the TypeScript sources, never dist/: type-only imports vanish from the
// compiled JavaScript, and a stale file left in dist/ would fail for nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `../src/` from this file is admin-api/src whether it runs from src/ or from dist/.
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const LOWER_TIERS = ['domain', 'data', 'lib'] as const;
const FORBIDDEN = ['http', 'routes'];

/** Every module a source names: imports (type-only too), re-exports, side effects, `import()`. */
function specifiersOf(source: string): string[] {
  return [...source.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** `<file>: <specifier>` for each import of a forbidden folder by a file of `tier`. */
function violations(tier: string): { files: number; found: string[] } {
  const dir = join(SRC, tier);
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.ts'),
  );
  const found: string[] = [];
  for (const file of files) {
    const path = join(dir, file);
    for (const specifier of specifiersOf(readFileSync(path, 'utf8'))) {
      if (!specifier.startsWith('.')) continue; // a package, not one of ours
      const target = relative(SRC, resolve(dirname(path), specifier)).split(sep)[0];
      if (FORBIDDEN.includes(target!)) found.push(`${tier}/${file}: ${specifier}`);
    }
  }
  return { files: files.length, found };
}

describe('the tiers of admin-api/src', () => {
  it.each(LOWER_TIERS)('when %s/ imports a module, then it is not in http/ or routes/', (tier) => {
    const { files, found } = violations(tier);
    expect(files, `no sources found in ${tier}/: the check would pass for nothing`).toBeGreaterThan(
      0,
    );
    expect(found, `${tier}/ must not import http/ or routes/`).toEqual([]);
  });

  it('when a source imports in any form, then the check sees the specifier', () => {
    const source = [
      "import type {\n  Caller,\n} from '../http/authenticate.js';",
      "import '../routes/table.js';",
      "export { parse } from '../http/validate.js';",
      "const m = await import(\n  '../http/metrics.js'\n);",
    ].join('\n');
    expect(specifiersOf(source)).toEqual([
      '../http/authenticate.js',
      '../routes/table.js',
      '../http/validate.js',
      '../http/metrics.js',
    ]);
  });
});
