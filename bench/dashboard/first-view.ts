// Dashboard first-view time with 10k accounts on loopback: navigation start until the overview and
// the first page of the ranked at-risk list are painted, in headless Debian Chromium; prints figures.
// Run: npx tsx bench/dashboard/first-view.ts [--accounts 10000] [--runs 7] [--backend fixture|daemon] [--gap-ms 2500]
import { parseArgs } from 'node:util';
import { ensureDashboardBuilt } from '../../test/web/build-dashboard.js';
import { launchChromium } from '../../test/web/chromium.js';
import { startFixtureApi } from '../../test/web/fixture-api.js';

const TARGET_MS = 1000;

interface Backend {
  url: string;
  describe: string;
  close(): Promise<void>;
}

async function startBackend(kind: string, accounts: number): Promise<Backend> {
  if (kind === 'fixture') {
    const api = await startFixtureApi({ accounts });
    return { url: api.url, describe: `fixture API (test/web/fixture-api.ts), ${accounts} accounts`, close: () => api.close() };
  }
  // Loaded only when asked for, so the fixture bench runs even while the daemon is being built.
  const { startSeededDaemon } = await import('./seeded-daemon.js');
  return startSeededDaemon(accounts);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      accounts: { type: 'string', default: '10000' },
      runs: { type: 'string', default: '7' },
      backend: { type: 'string', default: 'fixture' },
      // Pause between runs, longer than the daemon's overview cache (2 s), so every run is a cold first visit.
      'gap-ms': { type: 'string', default: '2500' },
    },
  });
  const accounts = Number(values.accounts);
  const runs = Math.max(1, Number(values.runs));
  const gapMs = Math.max(0, Number(values['gap-ms']));
  ensureDashboardBuilt();
  const t0 = performance.now();
  const backend = await startBackend(values.backend!, accounts);
  const setupMs = performance.now() - t0;
  const browser = await launchChromium();
  try {
    const firstView: number[] = [];
    const fcp: number[] = [];
    for (let i = 0; i < runs; i++) {
      // A fresh context per run: an empty cache, as on a first visit.
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(backend.url + '/');
      await page.waitForFunction(() => performance.getEntriesByName('vigil:first-view').length > 0, undefined, { timeout: 30_000 });
      const rows = await page.locator('#at-risk tbody tr').count();
      if (rows === 0 || errors.length) throw new Error(`run ${i + 1}: ${rows} rows, errors: ${errors.join('; ')}`);
      const t = await page.evaluate(() => ({
        firstView: performance.getEntriesByName('vigil:first-view')[0]!.startTime,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      }));
      firstView.push(t.firstView);
      fcp.push(t.fcp);
      await context.close();
      await new Promise((r) => setTimeout(r, gapMs));
    }

    // API figures on their own, for context (after the runs, so they warm no cache the runs use).
    const api: Record<string, number> = {};
    for (const path of ['/v1/overview', '/v1/health?band=at-risk&sort=-priority&limit=25&offset=0', '/v1/health?sort=-priority&limit=50&offset=0', '/v1/health?sort=-priority&limit=50&offset=9950']) {
      const start = performance.now();
      const res = await fetch(backend.url + path);
      await res.arrayBuffer();
      api[path] = performance.now() - start;
    }

    const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
    console.log(`dashboard first view: ${backend.describe}, loopback, headless Chromium, ${runs} runs, fresh context each, ${gapMs} ms apart`);
    console.log(`  backend setup: ${fmt(setupMs)}`);
    for (const [path, ms] of Object.entries(api)) console.log(`  API ${path}: ${fmt(ms)}`);
    console.log(`  first contentful paint: median ${fmt(median(fcp))}`);
    console.log(`  first view (overview + first page of the at-risk list painted): median ${fmt(median(firstView))}, max ${fmt(Math.max(...firstView))}, first run ${fmt(firstView[0]!)}`);
    console.log(`  runs: ${firstView.map((v) => v.toFixed(0)).join(', ')} ms`);
    console.log(`  target < ${TARGET_MS} ms: ${Math.max(...firstView) < TARGET_MS ? 'met (every run)' : median(firstView) < TARGET_MS ? 'met at the median, not on every run' : 'NOT met'}`);
  } finally {
    await browser.close();
    await backend.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
