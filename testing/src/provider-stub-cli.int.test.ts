// The provider stub's command line: it prints where it listens, answers there, and exits
// cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('./provider-stub-cli.ts', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});

async function firstLine(process: ChildProcess): Promise<string> {
  if (!process.stdout) throw new Error('no stdout');
  const lines = createInterface({ input: process.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  return line;
}

describe('provider stub CLI', () => {
  it('when started with PORT=0, then it prints its URL, answers there and exits 0 on SIGTERM', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', cli], {
      env: { ...process.env, PORT: '0', PROVIDER_STUB_API_KEY: 'cli-key' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await firstLine(child);
    const url = /^provider stub listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)?.[1];
    expect(url, line).toBeDefined();

    const models = await fetch(`${url}/v1/models`, {
      headers: { authorization: 'Bearer cli-key' },
    });
    expect(models.status).toBe(200);
    const wrongKey = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer no' } });
    expect(wrongKey.status).toBe(401);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  }, 20_000);
});
