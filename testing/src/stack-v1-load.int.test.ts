// `npm start` under a burst of programs: 200 concurrent /v1 calls at the README's URL all
// answer, and the stack's processes and memory stay bounded. The Functions emulator alone
// started a worker per call in flight (~190 workers, ~22 GB); the stack serves /v1 through the
// functions' plain host instead (functions-front.ts).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithPassword } from './auth-emulator.js';
import { canListSockets, processTree } from './listening-sockets.js';
import { startStack, type Stack } from './stack.js';

const CALLS = 200;
let stack: Stack;
let token: string;

/** Processes under this test, and their resident memory in bytes. */
function footprint(): { processes: number; rss: number } {
  const tree = processTree(process.pid).slice(1);
  let rss = 0;
  for (const pid of tree) {
    try {
      const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
      rss += pages * 4096;
    } catch {
      // ended meanwhile
    }
  }
  return { processes: tree.length, rss };
}

beforeAll(async () => {
  // No limits, so every call is served rather than most refused at the tier's concurrency.
  stack = await startStack({
    ports: 'free',
    web: false,
    env: {
      RATE_TIERS: JSON.stringify({ free: null, standard: null }),
      LOCAL_PROVIDER_CHUNK_DELAY_MS: '20',
    },
  });
  const member = stack.demoUsers.find((u) => u.role === 'member')!;
  const { idToken } = await signInWithPassword(stack.urls.auth, member.email, member.password);
  const exchanged = await fetch(
    `${stack.urls.functions}/${stack.projectId}/us-central1/exchangeToken`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ data: {} }),
    },
  );
  token = ((await exchanged.json()) as { result: { token: string } }).result.token;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe.runIf(canListSockets())('the local stack under 200 concurrent /v1 calls', () => {
  it('when 200 programs call /v1 at once, then every call answers and the processes and memory stay bounded', async () => {
    const v1 = `${stack.urls.functions}/${stack.projectId}/us-central1/v1/v1`;
    const call = async (i: number, signal?: AbortSignal): Promise<string> => {
      const res = await fetch(`${v1}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'local/echo',
          stream: i % 2 === 0,
          messages: [{ role: 'user', content: `call ${i}` }],
        }),
        ...(signal ? { signal } : {}),
      });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`call ${i}: ${res.status} ${body}`);
      if (i % 2 !== 0) return body;
      // A stream: its deltas joined, once it has ended with [DONE].
      expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
      return body
        .split('\n')
        .filter((line) => line.startsWith('data: {'))
        .map((line) => {
          const chunk = JSON.parse(line.slice(6)) as {
            choices: { delta: { content?: string } }[];
          };
          return chunk.choices[0]?.delta.content ?? '';
        })
        .join('');
    };
    // Warm: the first call loads the functions' entry point.
    expect(await call(1, AbortSignal.timeout(30_000))).toContain('You said: call 1');
    const before = footprint();
    let peak = before;
    const sampler = setInterval(() => {
      const now = footprint();
      peak = {
        processes: Math.max(peak.processes, now.processes),
        rss: Math.max(peak.rss, now.rss),
      };
    }, 100);
    const started = Date.now();
    const deadline = AbortSignal.timeout(60_000);
    try {
      const bodies = await Promise.all(Array.from({ length: CALLS }, (_, i) => call(i, deadline)));
      bodies.forEach((body, i) => expect(body).toContain(`You said: call ${i}`));
    } finally {
      clearInterval(sampler);
      console.log(
        `${CALLS} calls in ${((Date.now() - started) / 1000).toFixed(1)} s; processes ` +
          `${before.processes} → at most ${peak.processes}; RSS ${(before.rss / 2 ** 20).toFixed(0)} MB ` +
          `→ at most ${(peak.rss / 2 ** 20).toFixed(0)} MB`,
      );
    }
    // The emulator's way added a process (~110 MB) per call in flight.
    expect(peak.processes - before.processes).toBeLessThanOrEqual(2);
    expect(peak.rss - before.rss).toBeLessThan(512 * 2 ** 20);
  }, 120_000);
});
