/// <reference lib="dom" />
// `npm run bench:web`: how fast the web app boots on a cold load (issue 18, "Boot"). It serves
// web/build as production does (the Hosting emulator with firebase.json's headers and
// Content-Security-Policy, testing/src/web-hosting.ts) and loads the app in Chromium, each time
// in a fresh browser context (empty cache, no session), and reports, from navigation start:
// first paint and first contentful paint (the paint entries), when the sign-in form is drawn
// (the first animation frame with its email field laid out), when it is interactive (its
// button is enabled and a submit event dispatched on it is taken by the app: Svelte's handler
// prevents the default), when
// runtime-config.json is requested, when the last script of the sign-in page has arrived,
// and how much JavaScript the sign-in page loads. A load that is sent on to /sign-in counts
// every time from its first page's start; its requests and scripts are the last page's. Medians and p90s over BENCH_WEB_RUNS loads
// (default 10) of `/` (which sends a signed-out person to /sign-in) and of /sign-in itself,
// unthrottled and, with a smaller count, throttled to a Fast 4G-like network (150 ms round
// trip, 9 Mbit/s down) through the DevTools protocol. A benchmark, not a test: nothing fails.
// BENCH_WEB_BASELINE=<folder> compares another build (say, an earlier commit's) with web/build.
// (The DOM's types, referenced above, are for the page-side callbacks, here and in browser.ts.)
import type { Browser } from 'playwright-core';
import { startWebHosting } from '@colonycraft/testing';
import { launchChromium } from '../web/e2e/browser.js';

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 10);
const THROTTLED_RUNS = Math.max(3, Math.round(RUNS / 2));

interface Profile {
  name: string;
  runs: number;
  /** Network.emulateNetworkConditions' parameters; none means the machine's own loopback. */
  network?: { latency: number; downloadThroughput: number; uploadThroughput: number };
}

const PROFILES: Profile[] = [
  { name: 'local', runs: RUNS },
  {
    name: 'Fast 4G',
    runs: THROTTLED_RUNS,
    network: { latency: 150, downloadThroughput: (9e6 / 8) | 0, uploadThroughput: (1.5e6 / 8) | 0 },
  },
];
const PATHS = ['/', '/sign-in'];

/** Runs in the page before its own scripts: marks when the form is drawn and when it reacts. */
const PROBE = `(() => {
  // The first page's start, kept across a redirect (\`/\` sending a visitor on to sign in):
  // every time is counted from it, not from the page the visitor ends on.
  if (sessionStorage.getItem('__bootOrigin') === null) {
    sessionStorage.setItem('__bootOrigin', String(performance.timeOrigin));
  }
  const marks = (window.__boot = {});
  const form = () => document.querySelector('form[aria-labelledby="sign-in-title"]');
  const frame = () => {
    const email = form()?.querySelector('input[type=email]');
    if (marks.visible === undefined && email && email.getBoundingClientRect().height > 0) {
      marks.visible = performance.now();
    }
    if (marks.interactive === undefined) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const probe = () => {
    const target = form();
    const button = target?.querySelector('button[type=submit]');
    if (target && marks.visible !== undefined && button && !button.disabled) {
      const event = new Event('submit', { bubbles: true, cancelable: true });
      target.dispatchEvent(event);
      if (event.defaultPrevented) {
        marks.interactive = performance.now();
        return;
      }
    }
    setTimeout(probe, 5);
  };
  probe();
})();`;

/**
 * Runs in the page once it is interactive and the network is idle. A string, like PROBE: tsx
 * would wrap a function's inner functions in a helper the page does not have.
 */
const COLLECT = `(() => {
  const boot = window.__boot;
  // Times on this page, from the first page's start: they differ after a redirect.
  const shift = performance.timeOrigin - Number(sessionStorage.getItem('__bootOrigin'));
  const paint = (name) =>
    (performance.getEntriesByName(name, 'paint')[0]?.startTime ?? NaN) + shift;
  const resources = performance.getEntriesByType('resource');
  const config = resources.filter((r) => r.name.endsWith('/runtime-config.json'));
  const scripts = resources.filter((r) => new URL(r.name).pathname.endsWith('.js'));
  const sum = (key) => scripts.reduce((total, r) => total + r[key], 0) / 1024;
  return {
    fp: paint('first-paint'),
    fcp: paint('first-contentful-paint'),
    visible: boot.visible + shift,
    interactive: boot.interactive + shift,
    configStart: (config[0]?.startTime ?? NaN) + shift,
    pages: shift > 0 ? 2 : 1,
    configRequests: config.length,
    lastScriptEnd:
      Math.max(...scripts.filter((r) => r.startTime < boot.interactive).map((r) => r.responseEnd)) +
      shift,
    jsWireKiB: sum('encodedBodySize'),
    jsKiB: sum('decodedBodySize'),
    scripts: scripts.length,
  };
})()`;

interface Sample {
  fp: number;
  fcp: number;
  visible: number;
  interactive: number;
  configStart: number;
  configRequests: number;
  pages: number;
  lastScriptEnd: number;
  jsWireKiB: number;
  jsKiB: number;
  scripts: number;
}

async function load(browser: Browser, url: string, profile: Profile): Promise<Sample> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    if (profile.network) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, ...profile.network });
    }
    await page.addInitScript(PROBE);
    await page.goto(url);
    await page.waitForFunction(
      () => (window as unknown as { __boot: { interactive?: number } }).__boot.interactive,
      null,
      { timeout: 60_000, polling: 50 },
    );
    await page.waitForLoadState('networkidle');
    return (await page.evaluate(COLLECT)) as Sample;
  } finally {
    await context.close();
  }
}

const quantile = (values: number[], q: number): number => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
};

const COLUMNS: { key: keyof Sample; title: string; unit: 'ms' | 'KiB' | 'n' }[] = [
  { key: 'fp', title: 'first paint', unit: 'ms' },
  { key: 'fcp', title: 'first contentful paint', unit: 'ms' },
  { key: 'visible', title: 'sign-in form drawn', unit: 'ms' },
  { key: 'interactive', title: 'sign-in form interactive', unit: 'ms' },
  { key: 'configStart', title: 'runtime-config.json requested', unit: 'ms' },
  { key: 'lastScriptEnd', title: 'last script arrived', unit: 'ms' },
  { key: 'configRequests', title: 'runtime-config.json requests (last page)', unit: 'n' },
  { key: 'pages', title: 'pages loaded (2: sent on to sign in)', unit: 'n' },
  { key: 'scripts', title: 'scripts loaded', unit: 'n' },
  { key: 'jsWireKiB', title: 'JS over the wire', unit: 'KiB' },
  { key: 'jsKiB', title: 'JS decoded', unit: 'KiB' },
];

/** A build's samples of one row: web/build's, or the baseline's it is compared with. */
interface Series {
  name: string;
  samples: Sample[];
}

function table(profile: Profile, path: string, series: Series[]): string {
  const runs = series[0]!.samples.length;
  const heads = series.flatMap((s) => [`${s.name} median`.trim(), `${s.name} p90`.trim()]);
  const lines = [
    `### ${path} — ${profile.name}, ${runs} cold loads${series.length > 1 ? ' each, taking turns' : ''}`,
    '',
    `| | ${heads.join(' | ')} |`,
    `|---|${heads.map(() => '---:').join('|')}|`,
  ];
  for (const column of COLUMNS) {
    const format = (v: number) =>
      Number.isNaN(v)
        ? '–'
        : column.unit === 'n'
          ? String(v)
          : `${v.toFixed(column.unit === 'ms' ? 0 : 1)} ${column.unit}`;
    const cells = series.flatMap(({ samples }) => {
      const values = samples.map((sample) => sample[column.key]);
      return [format(quantile(values, 0.5)), format(quantile(values, 0.9))];
    });
    lines.push(`| ${column.title} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

// BENCH_WEB_BASELINE=<a built web app's folder> serves that build beside web/build, and the
// two take turns load by load, so a machine whose load drifts slows both alike.
const baselineBuild = process.env.BENCH_WEB_BASELINE;
const targets = [
  ...(baselineBuild
    ? [{ name: 'baseline', hosting: await startWebHosting({ build: baselineBuild }) }]
    : []),
  { name: baselineBuild ? 'web/build' : '', hosting: await startWebHosting() },
];
const browser = await launchChromium();
try {
  // One load of each first, unrecorded: the emulator's first answers and Chromium's start-up.
  for (const { hosting } of targets) await load(browser, `${hosting.url}/`, PROFILES[0]!);
  for (const profile of PROFILES) {
    for (const path of PATHS) {
      const series: Series[] = targets.map(({ name }) => ({ name, samples: [] }));
      for (let i = 0; i < profile.runs; i += 1) {
        for (const [index, { hosting }] of targets.entries()) {
          series[index]!.samples.push(await load(browser, `${hosting.url}${path}`, profile));
        }
      }
      console.log(`${table(profile, path, series)}\n`);
    }
  }
} finally {
  await browser.close();
  for (const { hosting } of targets) await hosting.stop();
}
