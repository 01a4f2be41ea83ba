// `npm run bench`: what the gateway adds on top of calling a provider directly. The gateway is
// hosted as Cloud Run hosts it (functions/lib/dev/serve.js, a plain Node HTTP server), the
// provider stub is upstream, and every row is measured beside the same call made straight to
// the stub in the same run, so the machine's speed cancels out of the ratios. The three
// targets of a row take turns, in short blocks, so that a machine whose speed drifts during
// the run (another process waking up) slows them alike instead of whichever came last.
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  generateTokenKeys,
  repoPath,
  startChild,
  startFirestoreEmulator,
  type Child,
} from '@colonycraft/testing';

const STUB_KEY = 'sk-bench';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROJECT = 'demo-colonycraft';
const WARMUP = 50;
const CONCURRENT = 16;
/** Calls per target and row, in rounds of one block per target. */
const SEQUENTIAL = { rounds: 20, block: 20 };
const PARALLEL = { rounds: 15, block: 4 * CONCURRENT };
const USAGE_WRITES = 200;
/** Issue 15's targets; the bench ends with a table of them, met or not in the run. */
const TARGETS = {
  /** The gateway's own work at the first token (over the bare proxy), c=1, limiter on, ms. */
  ownWorkMs: 0.8,
  /** What a whole answer may add beyond what the first token adds, c=1, limiter on, ms. */
  wholeOverFirstMs: 0.5,
  /** CPU per call at c=16, limiter on, ms. */
  cpuMs: 1.0,
  /** Throughput at c=16, limiter on, as a share of the bare proxy's. */
  throughput: 0.6,
  /** CPU a 128k-token input may cost beyond a 1k-token one, ms. */
  inputGrowthMs: 3,
  /** Importing the v1 function's module against firebase-functions/v2/https with firebase-admin/app. */
  coldRatio: 1.3,
  /** Limiter decisions per second at c=16. */
  decisionsPerSecond: 20_000,
};
/** The soak row: this long at c=8; its heap may grow by at most SOAK_GROWTH_BYTES. */
const SOAK_S = Number(process.env.BENCH_SOAK_S ?? 120);
const SOAK_GROWTH_BYTES = 5 * 1024 * 1024;

async function started(child: Child, pattern: RegExp): Promise<string> {
  return (await child.waitForLine(pattern, 30_000)).split(' ').at(-1)!;
}

const stub = startChild('stub', process.execPath, [repoPath('testing/dist/provider-stub-cli.js')], {
  cwd: repoPath(),
  env: { ...process.env, PORT: '0', PROVIDER_STUB_API_KEY: STUB_KEY },
});
const stubUrl = await started(stub, /provider stub listening on/);
const bare = startChild(
  'bare proxy',
  process.execPath,
  ['--import', 'tsx', repoPath('scripts/bare-proxy.ts')],
  {
    cwd: repoPath(),
    env: { ...process.env, UPSTREAM: stubUrl },
  },
);
const bareUrl = await started(bare, /bare proxy listening on/);
const firestore = await startFirestoreEmulator();
const keys = await generateTokenKeys('bench');
// BENCH_PROFILE=<dir> writes a CPU profile of the gateway there (open it in Chrome's DevTools).
const profile = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];
const gateway = startChild(
  'gateway',
  process.execPath,
  ['--expose-gc', ...profile, repoPath('functions/lib/dev/serve.js')],
  {
    cwd: repoPath('functions'),
    env: {
      ...process.env,
      GCLOUD_PROJECT: PROJECT,
      FIRESTORE_EMULATOR_HOST: firestore.host,
      TOKEN_VERIFY_KEYS: JSON.stringify(keys.verify),
      OPENAI_API_KEY: STUB_KEY,
      OPENAI_BASE_URL: `${stubUrl}/v1`,
      OPENAI_MODELS: JSON.stringify([{ model: 'gpt-stub', inputPrice: 1, outputPrice: 2 }]),
      ANTHROPIC_API_KEY: STUB_KEY,
      ANTHROPIC_BASE_URL: stubUrl,
      ANTHROPIC_MODELS: JSON.stringify([{ model: 'claude-stub', inputPrice: 3, outputPrice: 15 }]),
      REDIS_URL,
      // Ledger streams of its own on the shared Redis, drained into this run's Firestore.
      USAGE_LEDGER_PREFIX: `cc:bench:ledger:${process.pid}:`,
      // Room for the input-size rows' largest request (128k tokens of prose, ~0.5 MB).
      GATEWAY_MAX_INPUT_CHARS: '1000000',
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
  },
);
const gatewayUrl = await started(gateway, /functions hosted at/);
const gatewayCpuMs = () => cpuMsOf(gateway.process.pid);
const cpuKnown = gatewayCpuMs() !== undefined;

/** CPU time process `pid` has used, all threads, in ms; undefined off Linux. */
function cpuMsOf(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks of (almost everywhere) 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

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

/** The API a row speaks: OpenAI's Chat Completions, or Anthropic's Messages. */
type Api = 'chat' | 'messages';

interface Target {
  /** Where its `/chat/completions` and `/messages` are. */
  base: string;
  auth: string;
  /** The model asked for on each API: the stub's own names, or the gateway's ids. */
  models: Record<Api, string>;
  /** The process whose CPU per call the row reports (the bare proxy's, the gateway's). */
  pid?: number | undefined;
}
const direct: Target = {
  base: `${stubUrl}/v1`,
  auth: STUB_KEY,
  models: { chat: 'gpt-stub', messages: 'claude-stub' },
};
const gatewayTarget = (auth: string): Target => ({
  base: `${gatewayUrl}v1/v1`,
  auth,
  models: { chat: 'openai/gpt-stub', messages: 'anthropic/claude-stub' },
  pid: gateway.process.pid,
});
const bareProxy: Target = { ...direct, base: `${bareUrl}/v1`, pid: bare.process.pid };
const targets = [direct, bareProxy, gatewayTarget(limiterOff), gatewayTarget(limiterOn)];

/** How a row calls: streamed or not, whether the answer is a tool call, and on which API. */
interface Mode {
  stream: boolean;
  tools: boolean;
  api: Api;
}

/** A tool the call must use: the stub answers it with a call whose arguments quote the question. */
const TOOLS = {
  tools: [
    {
      type: 'function',
      function: {
        name: 'lookup',
        description: 'Looks a question up.',
        parameters: { type: 'object', properties: { query: { type: 'string' } } },
      },
    },
  ],
  tool_choice: 'required',
};

/**
 * One call; resolves with ms to the first token (streamed: the answer's first text, or its first
 * tool-call arguments) or to the whole answer.
 */
async function once(target: Target, { stream, tools, api }: Mode): Promise<number> {
  const start = performance.now();
  const url = `${target.base}/${api === 'chat' ? 'chat/completions' : 'messages'}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.auth}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: target.models[api],
      stream,
      messages: [{ role: 'user', content: 'How fast is the gateway?' }],
      ...(api === 'messages' ? { max_tokens: 256 } : {}),
      ...(tools ? TOOLS : {}),
    }),
  });
  if (!res.ok || !res.body) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  // The first text delta (the block's start carries an empty text).
  const marker = tools ? '"arguments":"{' : api === 'chat' ? '"content":"H' : '"text":"H';
  let first = 0;
  let seen = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    if (stream && !first) {
      seen += decoder.decode(chunk.value, { stream: true });
      if (seen.includes(marker)) first = performance.now();
    }
  }
  const end = performance.now();
  if (stream && !first) throw new Error(`${url} streamed no first token`);
  return (stream ? first : end) - start;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Measured {
  p50: number;
  p99: number;
  rps: number;
  /** The CPU per call of the target's process, ms. */
  cpuMs: number | undefined;
}

/** The targets of one row, taking turns block by block. */
async function measureRow(mode: Mode, concurrency: number): Promise<Measured[]> {
  const { rounds, block } = concurrency === 1 ? SEQUENTIAL : PARALLEL;
  for (const target of targets) for (let i = 0; i < WARMUP; i += 1) await once(target, mode);
  const runs = targets.map(() => ({ latencies: [] as number[], ms: 0, cpuMs: 0 }));
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < targets.length; k += 1) {
      // Each round starts with another target, so none always follows the same one.
      const index = (round + k) % targets.length;
      const target = targets[index]!;
      const run = runs[index]!;
      const cpuBefore = cpuMsOf(target.pid);
      const start = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = 0; i < block / concurrency; i += 1)
            run.latencies.push(await once(target, mode));
        }),
      );
      run.ms += performance.now() - start;
      const cpuAfter = cpuMsOf(target.pid);
      if (cpuBefore !== undefined && cpuAfter !== undefined) run.cpuMs += cpuAfter - cpuBefore;
    }
  }
  return runs.map((run, index) => {
    const sorted = [...run.latencies].sort((a, b) => a - b);
    const calls = sorted.length;
    return {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      rps: calls / (run.ms / 1000),
      cpuMs: targets[index]!.pid && cpuKnown ? run.cpuMs / calls : undefined,
    };
  });
}

const rows: string[][] = [];
const f = (n: number) => n.toFixed(2);
/** The rows issue 15's targets are read from. */
const measured = new Map<string, [Measured, Measured, Measured, Measured]>();
for (const [label, stream, tools, api] of [
  ['whole answer', false, false, 'chat'],
  ['first token (stream)', true, false, 'chat'],
  ['tool call (stream)', true, true, 'chat'],
  ['/v1/messages first token (stream)', true, false, 'messages'],
] as const) {
  for (const concurrency of [1, CONCURRENT]) {
    const [d, hop, off, on] = (await measureRow({ stream, tools, api }, concurrency)) as [
      Measured,
      Measured,
      Measured,
      Measured,
    ];
    measured.set(`${label}, c=${concurrency}`, [d, hop, off, on]);
    const cpu = (m: Measured) => (m.cpuMs === undefined ? 'n/a' : f(m.cpuMs));
    rows.push([
      `${label}, c=${concurrency}`,
      `${f(d.p50)} / ${f(d.p99)}`,
      `${f(hop.p50)} / ${f(hop.p99)}`,
      `${f(off.p50)} / ${f(off.p99)}`,
      `${f(on.p50)} / ${f(on.p99)}`,
      `${f(hop.p50 - d.p50)} / ${f(off.p50 - d.p50)} / ${f(on.p50 - d.p50)}`,
      `${d.rps.toFixed(0)} → ${hop.rps.toFixed(0)} / ${off.rps.toFixed(0)} / ${on.rps.toFixed(0)} (${(on.rps / d.rps).toFixed(2)}×)`,
      `${cpu(hop)} / ${cpu(off)} / ${cpu(on)}`,
    ]);
  }
}

// What the whole-answer rows wait for on purpose: one usage record and its aggregates written
// to the same Firestore emulator, measured on its own.
process.env.GCLOUD_PROJECT = PROJECT;
process.env.FIRESTORE_EMULATOR_HOST = firestore.host;
process.env.METADATA_SERVER_DETECTION = 'none'; // no Google Cloud around: do not look for it
const { db } = await import(repoPath('functions/lib/firebase.js'));
const { recordUsage } = await import(repoPath('functions/lib/usage/usage-ledger.js'));
const writes: number[] = [];
for (let i = 0; i < USAGE_WRITES; i += 1) {
  const start = performance.now();
  await recordUsage(db(), {
    principal: 'bench-usage',
    principalType: 'user',
    model: 'openai/gpt-stub',
    provider: 'openai',
    inputTokens: 12,
    outputTokens: 34,
    estimated: false,
    costUsd: 0.0001,
    latencyMs: 1,
    status: 'ok',
    at: Date.now(),
  });
  if (i >= USAGE_WRITES / 10) writes.push(performance.now() - start);
}
writes.sort((a, b) => a - b);
await db().terminate();

// Cold start: importing the functions' entry point in a fresh process, and which provider
// SDKs that import pulled in (none should: each provider loads its SDK on first use).
// The v1 function's own module is compared with what any HTTPS function loads at least.
const probe = (modules: string[]) => `
  const { registerHooks } = await import('node:module');
  const seen = new Set();
  registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.add(r.url); return r; } });
  const start = performance.now();
  for (const m of ${JSON.stringify(modules)}) await import(m);
  const ms = performance.now() - start;
  const sdks = ['openai', '@anthropic-ai/sdk'].filter((name) => [...seen].some((url) => url.includes('/node_modules/' + name + '/')));
  console.log(JSON.stringify({ ms, sdks }));`;
/** The median of 5 imports of `modules`, each in a fresh process. */
function coldImport(modules: string[]): { ms: number; sdks: string[] } {
  const runs = Array.from(
    { length: 5 },
    () =>
      JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', probe(modules)], {
          cwd: repoPath('functions'),
          env: { ...process.env, GCLOUD_PROJECT: PROJECT },
        }).toString(),
      ) as { ms: number; sdks: string[] },
  );
  return runs.sort((a, b) => a.ms - b.ms)[2]!;
}
const coldIndex = coldImport([repoPath('functions/lib/index.js')]);
const coldV1 = coldImport([repoPath('functions/lib/v1/v1.js')]);
const coldBase = coldImport(['firebase-functions/v2/https', 'firebase-admin/app']);

/** The gateway's heap after a full collection, in bytes. */
let heapAsked = 0;
async function gatewayHeap(): Promise<number> {
  heapAsked += 1;
  gateway.process.kill('SIGUSR2');
  const line = await gateway.waitForLine(new RegExp(`^heap ${heapAsked}: `), 10_000);
  return Number(/: (\d+) bytes/.exec(line)![1]);
}

// Soak: whole answers with the limiter on at c=8 for SOAK_S; the heap at its end, after a full
// collection, against the heap at its start.
const soakMode: Mode = { stream: false, tools: false, api: 'chat' };
const soaking = targets.find((t) => t.pid === gateway.process.pid && t.auth === limiterOn)!;
for (let i = 0; i < WARMUP; i += 1) await once(soaking, soakMode);
const heapBefore = await gatewayHeap();
let soakCalls = 0;
const soakEnd = performance.now() + SOAK_S * 1000;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (performance.now() < soakEnd) {
      await once(soaking, soakMode);
      soakCalls += 1;
    }
  }),
);
// Leases and timers a call leaves behind end within seconds; give them that.
await new Promise((resolve) => setTimeout(resolve, 2_000));
const heapGrowth = (await gatewayHeap()) - heapBefore;

// Input size: the gateway's CPU per whole answer, limiter on, at 1k, 32k and 128k tokens of
// prose and at 400k characters without a space (the shape whose tokenizing grows with its
// square). The cost must grow at most linearly, and 128k tokens cost at most 3 ms more than 1k.
const PROSE = 'The colony ships carried seeds, tools and the records of a thousand years. ';
const proseOf = (tokens: number) => PROSE.repeat(Math.ceil(tokens / 15)); // ~15 tokens each
async function cpuPerCall(content: string, calls: number): Promise<number> {
  const ask = () =>
    fetch(`${gatewayUrl}v1/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${limiterOn}`, 'content-type': 'application/json' },
      // The stub's answer repeats the last question: a short one keeps the answer small.
      body: JSON.stringify({
        model: 'openai/gpt-stub',
        messages: [
          { role: 'user', content },
          { role: 'assistant', content: 'Read.' },
          { role: 'user', content: 'Summarise it.' },
        ],
      }),
    }).then(async (res) => {
      if (!res.ok) throw new Error(`input-size row answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    });
  for (let i = 0; i < 3; i += 1) await ask();
  const before = gatewayCpuMs();
  for (let i = 0; i < calls; i += 1) await ask();
  const after = gatewayCpuMs();
  return before === undefined || after === undefined ? NaN : (after - before) / calls;
}
const inputRows: [string, number][] = [];
for (const [label, content] of [
  ['1k tokens of prose', proseOf(1_000)],
  ['32k tokens of prose', proseOf(32_000)],
  ['128k tokens of prose', proseOf(128_000)],
  ['400k characters without a space', 'a'.repeat(400_000)],
] as const) {
  inputRows.push([
    `${label} (${(content.length / 1024).toFixed(0)} KiB)`,
    await cpuPerCall(content, 30),
  ]);
}

await gateway.stop();
await bare.stop();
await stub.stop();
await firestore.stop();

// Limiter decisions on their own, against the local Redis.
const { RedisLimitStore, createRedisClient } = await import(
  repoPath('functions/lib/limits/redis-store.js')
);
const { benchmarkDecisions } = await import(
  repoPath('functions/lib/dev/limits/bench-decisions.js')
);
const decisionRows: string[] = [];
let decisionsAtC16 = 0;
for (const concurrency of [1, CONCURRENT]) {
  const store = new RedisLimitStore(createRedisClient(REDIS_URL), 'cc:bench:');
  const b = await benchmarkDecisions(store, { decisions: 4_000, concurrency });
  await store.close();
  if (concurrency === CONCURRENT) decisionsAtC16 = b.decisionsPerSecond;
  decisionRows.push(
    `  c=${concurrency}: ${b.decisionsPerSecond.toFixed(0)} decisions/s, one decision p50 ${f(b.p50Ms)} ms, p99 ${f(b.p99Ms)} ms`,
  );
}

const header = [
  'measure (ms: p50 / p99)',
  'stub directly',
  'bare proxy',
  'gateway, limiter off',
  'gateway, limiter on',
  'added p50 (bare / off / on)',
  'requests/s (direct → bare / off / on)',
  'CPU ms/call (bare / off / on)',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const row of rows) console.log(line(row));
console.log(
  `usage write on its own (one record and its aggregates, to the Firestore emulator): ` +
    `p50 ${f(percentile(writes, 50))} ms, p99 ${f(percentile(writes, 99))} ms.`,
);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
console.log(
  `\nsoak: ${soakCalls} whole answers in ${SOAK_S} s at c=8, limiter on; the gateway's heap after a ` +
    `full collection grew ${mb(heapGrowth)} MB (from ${mb(heapBefore)} MB)`,
);
const inputGrowth = inputRows[2]![1] - inputRows[0]![1];
console.log(
  `\ninput size, gateway CPU ms per whole answer (limiter on, c=1):\n` +
    inputRows.map(([label, ms]) => `  ${label}: ${f(ms)} ms`).join('\n') +
    `\n  128k tokens cost ${f(inputGrowth)} ms more than 1k`,
);
console.log(`\nrate limiter decisions against Redis (${REDIS_URL}):\n${decisionRows.join('\n')}`);
const coldRatio = coldV1.ms / coldBase.ms;
console.log(
  `\ncold start (median of 5 fresh processes): functions/lib/index.js ${f(coldIndex.ms)} ms; ` +
    `the v1 function's module ${f(coldV1.ms)} ms against ${f(coldBase.ms)} ms for ` +
    `firebase-functions/v2/https and firebase-admin/app alone: ${coldRatio.toFixed(2)}×. Provider ` +
    `SDKs loaded by index.js: ${coldIndex.sdks.length ? coldIndex.sdks.join(', ') : 'none'}`,
);

// Issue 15's targets, each read from the rows above.
const row = (label: string) => measured.get(label)!;
const [d1, hop1, , on1] = row('first token (stream), c=1');
const [w1, , , wOn1] = row('whole answer, c=1');
const [, hop16, , on16] = row('first token (stream), c=16');
const ownWork = on1.p50 - hop1.p50;
const wholeOverFirst = wOn1.p50 - w1.p50 - (on1.p50 - d1.p50);
const targetRows: [string, string, string, boolean][] = [
  [
    'own work over the bare proxy, first token, c=1, limiter on (p50)',
    `${f(ownWork)} ms`,
    `≤ ${TARGETS.ownWorkMs} ms`,
    ownWork <= TARGETS.ownWorkMs,
  ],
  [
    'a whole answer adds beyond what the first token adds (c=1, limiter on, p50)',
    `${f(wholeOverFirst)} ms`,
    `≤ ${TARGETS.wholeOverFirstMs} ms`,
    wholeOverFirst <= TARGETS.wholeOverFirstMs,
  ],
  [
    'CPU per call, first token, c=16, limiter on',
    on16.cpuMs === undefined
      ? 'n/a'
      : `${f(on16.cpuMs)} ms (bare proxy ${f(hop16.cpuMs ?? NaN)} ms)`,
    `≤ ${TARGETS.cpuMs} ms`,
    (on16.cpuMs ?? Infinity) <= TARGETS.cpuMs,
  ],
  [
    'throughput, first token, c=16, limiter on, against the bare proxy',
    `${(on16.rps / hop16.rps).toFixed(2)}×`,
    `≥ ${TARGETS.throughput}×`,
    on16.rps / hop16.rps >= TARGETS.throughput,
  ],
  [
    'CPU of a 128k-token input beyond a 1k-token one',
    `${f(inputGrowth)} ms`,
    `≤ ${TARGETS.inputGrowthMs} ms`,
    inputGrowth <= TARGETS.inputGrowthMs,
  ],
  [
    'cold start: the v1 module against the firebase base',
    `${coldRatio.toFixed(2)}×`,
    `≤ ${TARGETS.coldRatio}×`,
    coldRatio <= TARGETS.coldRatio,
  ],
  [
    'limiter decisions per second, c=16',
    decisionsAtC16.toFixed(0),
    `≥ ${TARGETS.decisionsPerSecond}`,
    decisionsAtC16 >= TARGETS.decisionsPerSecond,
  ],
  [
    'soak: heap growth after a full collection',
    `${mb(heapGrowth)} MB`,
    `≤ ${mb(SOAK_GROWTH_BYTES)} MB`,
    heapGrowth <= SOAK_GROWTH_BYTES,
  ],
];
const targetWidths = [0, 1, 2].map((i) => Math.max(...targetRows.map((r) => String(r[i]).length)));
console.log(
  `\nissue 15's targets in this run:\n` +
    targetRows
      .map(
        (r) =>
          `  ${[r[0], r[1], r[2]].map((c, i) => c.padEnd(targetWidths[i]!)).join('  ')}  ${r[3] ? 'met' : 'not met'}`,
      )
      .join('\n'),
);
console.log(
  `
What the rows measure:
- "bare proxy" is a plain Node HTTP server that forwards to the stub with fetch and streams the
  answer back (scripts/bare-proxy.ts): what one more hop costs on this machine, whatever runs in
  it. The gateway's own work is what it adds beyond that.
- Every call verifies the client token and checks the denylist (Redis); "limiter on" also takes
  it from the token buckets (Redis) and settles it afterwards, while "limiter off" is the
  unlimited tier, which skips the limiter.
- "first token" is the time to the first byte of answer text of a streamed call.
- "/v1/messages first token" is the "first token" row in Anthropic's Messages API: the stub's
  own /v1/messages (claude-stub) directly, and the gateway's /v1/messages with
  anthropic/claude-stub, whose named events it reads and writes again event by event.
- "tool call" asks with a tool it must call (tool_choice required): the time to the first
  fragment of the call's arguments, which the gateway translates chunk by chunk.
- "whole answer" asks without streaming, so the direct call is the stub's plain JSON answer,
  while the gateway streams from the stub and assembles it. Its answer is sent once the limiter
  has settled, which keeps the usage record in Redis in the same step (one round trip); the
  instance writes records to Firestore in batches afterwards, off the answer's path ("usage
  write on its own" is what one such write costs alone).
- "CPU" is the CPU time of the process (all threads) per call: the bare proxy's, or the
  gateway's, with its draining of the usage ledger. Steadier than the latencies when other
  processes compete for the machine, though not immune to it. On a shared machine the numbers vary from run to run: run it a few times
  before comparing.`,
);
