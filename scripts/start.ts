// `npm start`: the whole ColonyCraft stack on this machine, then a banner saying where
// everything is and how to sign in. Ctrl-C stops every process it started.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { startStack, repoPath } from '@colonycraft/testing';

const logFile = repoPath('.run', 'colonycraft.log');
mkdirSync(repoPath('.run'), { recursive: true });
writeFileSync(logFile, '');
const verbose = process.env.VERBOSE === '1';

// Provider keys set in the admin console outlive restarts, sealed under LOCAL_SECRETS_KEY; without
// one, a key made on the first start is kept beside the file (both git-ignored, in .run/).
const keyFile = repoPath('.run', 'provider-keys.key');
let localSecretsKey = process.env.LOCAL_SECRETS_KEY;
if (!localSecretsKey) {
  if (!existsSync(keyFile))
    writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  localSecretsKey = readFileSync(keyFile, 'utf8').trim();
}

console.log('Starting ColonyCraft: emulators, admin API and web app…');
const stack = await startStack({
  ports: 'default',
  web: true,
  databaseUrl: process.env.DATABASE_URL,
  redisUrl: process.env.REDIS_URL,
  localSecrets: {
    file: process.env.LOCAL_SECRETS_FILE ?? repoPath('.run', 'provider-keys.sealed.json'),
    key: localSecretsKey,
  },
  onLine: (source, line) => {
    appendFileSync(logFile, `[${source}] ${line}\n`);
    if (verbose) console.log(`[${source}] ${line}`);
  },
}).catch((error: unknown) => {
  console.error(
    `ColonyCraft did not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  console.error(`Service output: ${logFile}`);
  process.exit(1);
});

const rule = '─'.repeat(72);
console.log(`
${rule}
  ColonyCraft is running, for this machine only: it trusts unsigned tokens (the Auth
  emulator accepts unsigned ID tokens, the Firestore emulator enforces no rules), so every
  service listens on 127.0.0.1 alone. Never expose these ports.

  Web app        ${stack.urls.web}
  Admin API      ${stack.urls.adminApi}
  Functions      ${stack.urls.functions}  (Functions emulator; /v1 by one plain host)
  Auth           ${stack.urls.auth}  (Auth emulator)
  Firestore      ${stack.urls.firestore}  (Firestore emulator)

  Sign in as
${stack.demoUsers.map((u) => `    ${u.role.padEnd(8)} ${u.email.padEnd(28)} password: ${u.password}`).join('\n')}

  Embedded defaults in use
${stack.defaults.length ? stack.defaults.map((d) => `    - ${d}`).join('\n') : '    none'}

  Service output: ${logFile}   (VERBOSE=1 prints it here)
  Ctrl-C stops everything.
${rule}
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping ColonyCraft…');
    void stack.stop().then(() => process.exit(0));
  });
}
