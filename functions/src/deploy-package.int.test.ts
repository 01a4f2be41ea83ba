// The deploy package, built by scripts/package-functions.ts into a temporary folder (not
// functions/deploy/, so nothing else is disturbed) and listed: it holds the entry point and the
// modules it imports, and no test, test support, bench or dev tool, neither among the
// functions' own files nor inside the workspace tarballs it carries. Needs `npm run build`.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '@colonycraft/testing';

const run = promisify(execFile);
let folder: string;
let target: string;
/** Every file of the package, relative to it, with `/` between folders. */
let files: string[];
/** Each vendored tarball's name, where it was unpacked, and its files relative to that. */
let tarballs: { name: string; root: string; files: string[] }[];

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'cc-deploy-package-'));
  target = join(folder, 'deploy');
  const script = repoPath('scripts', 'package-functions.ts');
  await run(process.execPath, ['--import', 'tsx', script, target], { cwd: repoPath() });
  files = listFiles(target);
  tarballs = [];
  for (const name of files.filter((file) => file.startsWith('vendor/'))) {
    const root = join(folder, 'unpacked', basename(name));
    mkdirSync(root, { recursive: true });
    await run('tar', ['-xzf', join(target, name), '-C', root]);
    tarballs.push({ name, root, files: listFiles(root) });
  }
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('the deploy package', () => {
  it('when the functions are packaged, then the entry point is there and each workspace dependency is a tarball in it', () => {
    const pkg = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as {
      main: string;
      dependencies: Record<string, string>;
      devDependencies?: unknown;
      scripts?: unknown;
    };
    expect(pkg.main).toBe('lib/index.js');
    expect(files).toContain('lib/index.js');
    expect(pkg.devDependencies).toBeUndefined();
    expect(pkg.scripts).toBeUndefined();
    const workspaces = Object.entries(pkg.dependencies).filter(([name]) =>
      name.startsWith('@colonycraft/'),
    );
    expect(workspaces.map(([name]) => name).sort()).toEqual([
      '@colonycraft/protocol',
      '@colonycraft/secrets',
    ]);
    for (const [, spec] of workspaces) expect(files).toContain(spec.replace(/^file:/, ''));
  });

  it('when it is listed, then no file is a test, a source map, from a dev folder or a local secret', () => {
    const neverShips = /\.test\.|\.map$|(^|[/:])dev\/|(^|\/)\.(env|secret)\.local$/;
    const vendored = tarballs.flatMap((t) => t.files.map((file) => `${t.name}:${file}`));
    expect([...files, ...vendored].filter((file) => neverShips.test(file))).toEqual([]);
  });

  it('when it is listed, then every compiled file of the functions comes from a source that exists (no stale output of a moved file)', () => {
    const orphans = files
      .filter((file) => file.startsWith('lib/'))
      .map((file) => file.replace(/^lib\//, '').replace(/(\.d\.ts|\.js)$/, '.ts'))
      .filter((source) => !existsSync(repoPath('functions', 'src', source)));
    expect(orphans).toEqual([]);
  });

  it('when shipped code imports a module by relative path, then that module ships too', () => {
    const missing: string[] = [];
    for (const { name, root, files: shipped } of [
      { name: 'functions', root: target, files },
      ...tarballs,
    ]) {
      for (const file of shipped.filter((f) => f.endsWith('.js'))) {
        const code = readFileSync(join(root, file), 'utf8');
        for (const [, specifier] of code.matchAll(
          /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g,
        )) {
          const imported = posix.join(posix.dirname(file), specifier!);
          if (!shipped.includes(imported)) missing.push(`${name}: ${file} imports ${imported}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
