// Packages the functions for `firebase deploy`. Cloud Build installs a function's
// package.json on its own, where the `@colonycraft/*` workspaces do not exist; so this copies
// the built functions into functions/deploy/ (or the folder given as the first argument) and
// packs each workspace they depend on into a tarball there, referenced as a `file:`
// dependency. firebase.json deploys that folder (its predeploy step runs this); the emulators
// keep using functions/ itself.
//
// What never ships, here or in the tarballs: tests (`*.test.*`), source maps, anything in a
// `dev/` folder (the code only tests, the bench and `npm start` use: functions/src/dev/), and
// compiled output whose source is gone (tsc leaves a moved or deleted file's output behind).
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { repoPath } from '@colonycraft/testing';

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

const NEVER_SHIPS = /\.test\.|\.map$|(^|\/)dev(\/|$)/;

/** Whether a file or folder of a built workspace (a path relative to it) may ship. */
function ships(workspace: string, path: string): boolean {
  const file = path.split(sep).join('/');
  if (NEVER_SHIPS.test(file)) return false;
  const compiled = /^(?:lib|dist)\/(.+?)(?:\.d\.ts|\.js)$/.exec(file);
  return !compiled || existsSync(join(workspace, 'src', `${compiled[1]}.ts`));
}

const source = repoPath('functions');
const target = resolve(process.argv[2] ?? join(source, 'deploy'));
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

if (!relative(target, source).startsWith('..'))
  throw new Error(`refusing to package into ${target}, which holds the functions themselves`);
if (!existsSync(join(source, 'lib', 'index.js')))
  throw new Error('functions/lib is missing: run `npm run build` first');
rmSync(target, { recursive: true, force: true });
mkdirSync(join(target, 'vendor'), { recursive: true });
cpSync(join(source, 'lib'), join(target, 'lib'), {
  recursive: true,
  filter: (path) => ships(source, relative(source, path)),
});
// Params files travel with the code; local ones (emulator only) and secrets never do.
for (const file of readdirSync(source)) {
  if (/^\.env(\.[\w-]+)?$/.test(file) && file !== '.env.local')
    cpSync(join(source, file), join(target, file));
}

const execFileAsync = promisify(execFile);

/** Runs npm for its JSON answer, without lifecycle scripts: what it packs is built already. */
async function npmJson<T>(args: string[], cwd: string): Promise<T> {
  const { stdout } = await execFileAsync('npm', [...args, '--json', '--ignore-scripts'], { cwd });
  return JSON.parse(stdout) as T;
}

/** Packs a workspace's files as npm would, less what never ships; returns the tarball's name. */
async function pack(dir: string): Promise<string> {
  const workspace = repoPath(dir);
  const [listing] = await npmJson<[{ files: { path: string }[] }]>(
    ['pack', '--dry-run'],
    workspace,
  );
  const staging = mkdtempSync(join(tmpdir(), 'cc-pack-'));
  try {
    for (const { path } of listing.files)
      if (ships(workspace, path)) cpSync(join(workspace, path), join(staging, path));
    const destination = join(target, 'vendor');
    const [packed] = await npmJson<[{ filename: string }]>(
      ['pack', '--pack-destination', destination],
      staging,
    );
    return packed.filename;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const workspaces = new Map(
  ['protocol', 'secrets', 'testing', 'admin-api', 'web'].map((dir) => [
    read(repoPath(dir, 'package.json')).name,
    dir,
  ]),
);
const pkg = read(join(source, 'package.json'));
// The workspaces are packed side by side: each takes a few seconds of npm starting up.
const dependencies = Object.fromEntries(
  await Promise.all(
    Object.entries(pkg.dependencies ?? {}).map(async ([name, version]) => {
      const dir = workspaces.get(name);
      return [name, dir ? `file:vendor/${await pack(dir)}` : version] as const;
    }),
  ),
);
writeFileSync(
  join(target, 'package.json'),
  JSON.stringify({ ...pkg, dependencies, devDependencies: undefined, scripts: undefined }, null, 2),
);
console.log(`functions packaged for deploy in ${target}`);
