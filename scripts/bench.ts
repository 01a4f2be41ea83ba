// `npm run bench`: what the gateway adds on top of calling a provider directly. The gateway is
// hosted as Cloud Run hosts it (functions/lib/dev/serve.js, a plain Node HTTP server), the
// provider stub is upstream, and every row is measured beside the same call made straight to
// the stub in the same run, so the machine's speed cancels out of the ratios.
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import {
  generateTokenKeys,
  repoPath,
  startChild,
  startFirestoreEmulator,
  type Child,
} from '@colonycraft/testing';

const STUB_KEY = 'sk-bench';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WARMUP = 50;
const SEQUENTIAL = 400;
const CONCURRENT = 16;
const PER_WORKER = 60;

async function started(child: Child, pattern: RegExp): Promise<string> {
  return (await child.waitForLine(pattern, 30_000)).split(' ').at(-1)!;
}

const stub = startChild('stub', process.execPath, [repoPath('testing/dist/provider-stub-cli.js')], {
  cwd: repoPath(),
  env: { ...process.env, PORT: '0', PROVIDER_STUB_API_KEY: STUB_KEY },
});
const stubUrl = await started(stub, /provider stub listening on/);
const firestore = await startFirestoreEmulator();
const keys = await generateTokenKeys('bench');
const gateway = startChild('gateway', process.execPath, [repoPath('functions/lib/dev/serve.js')], {
  cwd: repoPath('functions'),
  env: {
    ...process.env,
    GCLOUD_PROJECT: 'demo-colonycraft',
    FIRESTORE_EMULATOR_HOST: firestore.host,
    TOKEN_VERIFY_KEYS: JSON.stringify(keys.verify),
    OPENAI_API_KEY: STUB_KEY,
    OPENAI_BASE_URL: `${stubUrl}/v1`,
    OPENAI_MODELS: JSON.stringify([{ model: 'gpt-stub', inputPrice: 1, outputPrice: 2 }]),
    REDIS_URL,
    // Roomy limits: every call takes the limiter's whole path and none is refused.
    RATE_TIERS: JSON.stringify({
      standard: {
        requests: { capacity: 1e9, refillPerMinute: 1e9 },
        tokens: { capacity: 1e12, refillPerMinute: 1e12 },
        concurrency: 100_000,
        dailyBudgetUsd: null,
        monthlyBudgetUsd: null,
      },
    }),
  },
});
const gatewayUrl = await started(gateway, /functions hosted at/);

// A client token, signed as exchangeToken signs them.
const { issueClientToken } = await import(repoPath('functions/lib/auth/client-token.js'));
const { loadSigningKey } = await import(repoPath('functions/lib/auth/signing-keys.js'));
const signingKey = await loadSigningKey(JSON.stringify(keys.signing));
const tokenFor = async (tier: string): Promise<string> =>
  (
    await issueClientToken(
      { sub: `bench-${tier}`, role: 'member', models: ['*'], tier, jti: tier },
      signingKey,
    )
  ).token;
// The `unlimited` tier skips the limiter entirely; `standard` goes through it on Redis.
const limiterOff = await tokenFor('unlimited');
const limiterOn = await tokenFor('standard');

interface Target {
  url: string;
  auth: string;
  model: string;
}
const direct: Target = { url: `${stubUrl}/v1/chat/completions`, auth: STUB_KEY, model: 'gpt-stub' };
const gatewayTarget = (auth: string): Target => ({
  url: `${gatewayUrl}v1/v1/chat/completions`,
  auth,
  model: 'openai/gpt-stub',
});

/** One call; resolves with [ms to the first streamed byte or the whole answer, ms in all]. */
async function once(target: Target, stream: boolean): Promise<[number, number]> {
  const start = performance.now();
  const res = await fetch(target.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.auth}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: target.model,
      stream,
      messages: [{ role: 'user', content: 'How fast is the gateway?' }],
    }),
  });
  if (!res.ok || !res.body)
    throw new Error(`${target.url} answered ${res.status}: ${await res.text()}`);
  const reader = res.body.getReader();
  let first = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    if (!first && stream && new TextDecoder().decode(chunk.value).includes('"content":"H'))
      first = performance.now();
  }
  const end = performance.now();
  return [(stream ? first : end) - start, end - start];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(target: Target, stream: boolean, concurrency: number) {
  for (let i = 0; i < WARMUP; i += 1) await once(target, stream);
  const latencies: number[] = [];
  const total = concurrency === 1 ? SEQUENTIAL : concurrency * PER_WORKER;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; i < total / concurrency; i += 1)
        latencies.push((await once(target, stream))[0]);
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), rps: total / seconds };
}

const rows: string[][] = [];
const f = (n: number) => n.toFixed(2);
for (const [label, stream] of [
  ['whole answer', false],
  ['first token (stream)', true],
] as const) {
  for (const concurrency of [1, CONCURRENT]) {
    const d = await measure(direct, stream, concurrency);
    const off = await measure(gatewayTarget(limiterOff), stream, concurrency);
    const on = await measure(gatewayTarget(limiterOn), stream, concurrency);
    rows.push([
      `${label}, c=${concurrency}`,
      `${f(d.p50)} / ${f(d.p99)}`,
      `${f(off.p50)} / ${f(off.p99)}`,
      `${f(on.p50)} / ${f(on.p99)}`,
      `${f(off.p50 - d.p50)} / ${f(on.p50 - d.p50)}`,
      `${d.rps.toFixed(0)} → ${off.rps.toFixed(0)} / ${on.rps.toFixed(0)} (${(on.rps / d.rps).toFixed(2)}×)`,
    ]);
  }
}

// Cold start: importing the functions' entry point in a fresh process, and which provider
// SDKs that import pulled in (none should: each provider loads its SDK on first use).
const probe = `
  const { registerHooks } = await import('node:module');
  const seen = new Set();
  registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.add(r.url); return r; } });
  const start = performance.now();
  await import(${JSON.stringify(repoPath('functions/lib/index.js'))});
  const ms = performance.now() - start;
  const sdks = ['openai', '@anthropic-ai/sdk'].filter((name) => [...seen].some((url) => url.includes('/node_modules/' + name + '/')));
  console.log(JSON.stringify({ ms, sdks }));`;
const colds = Array.from(
  { length: 5 },
  () =>
    JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
        cwd: repoPath('functions'),
        env: { ...process.env, GCLOUD_PROJECT: 'demo-colonycraft' },
      }).toString(),
    ) as { ms: number; sdks: string[] },
);
const coldMs = colds.map((c) => c.ms).sort((a, b) => a - b)[2]!;

await gateway.stop();
await stub.stop();
await firestore.stop();

// Limiter decisions on their own, against the local Redis.
const { RedisLimitStore, createRedisClient } = await import(
  repoPath('functions/lib/limits/redis-store.js')
);
const { benchmarkDecisions } = await import(repoPath('functions/lib/limits/bench-decisions.js'));
const decisionRows: string[] = [];
for (const concurrency of [1, CONCURRENT]) {
  const store = new RedisLimitStore(createRedisClient(REDIS_URL), 'cc:bench:');
  const b = await benchmarkDecisions(store, { decisions: 4_000, concurrency });
  await store.close();
  decisionRows.push(
    `  c=${concurrency}: ${b.decisionsPerSecond.toFixed(0)} decisions/s, one decision p50 ${f(b.p50Ms)} ms, p99 ${f(b.p99Ms)} ms`,
  );
}

const header = [
  'measure (ms: p50 / p99)',
  'stub directly',
  'gateway, limiter off',
  'gateway, limiter on',
  'added p50 (off / on)',
  'requests/s (direct → off / on)',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const row of rows) console.log(line(row));
console.log(`\nrate limiter decisions against Redis (${REDIS_URL}):\n${decisionRows.join('\n')}`);
console.log(
  `\ncold start: importing functions/lib/index.js takes ${f(coldMs)} ms (median of 5); ` +
    `provider SDKs loaded by it: ${colds[0]!.sdks.length ? colds[0]!.sdks.join(', ') : 'none'}`,
);
console.log(
  'The gateway verifies the client token, resolves the model, streams through the adapter and\n' +
    'records usage in Firestore (the emulator here) before the answer ends; the first-token row\n' +
    'excludes that write. "Limiter on" takes each call from the Redis token buckets and settles it\n' +
    'afterwards; "limiter off" is the unlimited tier, which skips the limiter.',
);
