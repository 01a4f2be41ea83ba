// Packages the functions for `firebase deploy`. Cloud Build installs a function's
// package.json on its own, where the `@colonycraft/*` workspaces do not exist; so this copies
// the built functions into functions/deploy/ and packs each workspace they depend on into a
// tarball there, referenced as a `file:` dependency. firebase.json deploys that folder (its
// predeploy step runs this); the emulators keep using functions/ itself.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '@colonycraft/testing';

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

const source = repoPath('functions');
const target = join(source, 'deploy');
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

if (!existsSync(join(source, 'lib', 'index.js')))
  throw new Error('functions/lib is missing: run `npm run build` first');
rmSync(target, { recursive: true, force: true });
mkdirSync(join(target, 'vendor'), { recursive: true });
cpSync(join(source, 'lib'), join(target, 'lib'), {
  recursive: true,
  filter: (path) => !/\.test\.(js|d\.ts)$|\.map$|[\\/]dev([\\/]|$)/.test(path),
});
// Params files travel with the code; local ones (emulator only) and secrets never do.
for (const file of readdirSync(source)) {
  if (/^\.env(\.[\w-]+)?$/.test(file) && file !== '.env.local')
    cpSync(join(source, file), join(target, file));
}

const workspaces = new Map(
  ['protocol', 'secrets', 'testing', 'admin-api', 'web'].map((dir) => [
    read(repoPath(dir, 'package.json')).name,
    dir,
  ]),
);
const pkg = read(join(source, 'package.json'));
const dependencies: Record<string, string> = {};
for (const [name, version] of Object.entries(pkg.dependencies ?? {})) {
  const dir = workspaces.get(name);
  if (!dir) {
    dependencies[name] = version;
    continue;
  }
  const tarball = execFileSync(
    'npm',
    ['pack', '--silent', '--pack-destination', join(target, 'vendor')],
    {
      cwd: repoPath(dir),
    },
  )
    .toString()
    .trim()
    .split('\n')
    .at(-1)!;
  dependencies[name] = `file:vendor/${tarball}`;
}
writeFileSync(
  join(target, 'package.json'),
  JSON.stringify({ ...pkg, dependencies, devDependencies: undefined, scripts: undefined }, null, 2),
);
console.log(`functions packaged for deploy in ${target}`);
