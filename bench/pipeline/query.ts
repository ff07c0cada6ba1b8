// The health-query part of the pipeline benchmark: fills a daemon on the embedded store with many
// accounts, then times GET /v1/accounts/:id/health at a fixed rate from a separate load process.
//
// Only accounts that have a health score are queried (an account is scored once it has an event; a
// generated account may have none in a short scenario): a 404 is a cheap answer and would flatter the
// figure. The load process still counts answers by status, so a 404 shows up if one happens.
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { generateScenario } from '../../src/scenario/generate.js';

export interface HealthQueryOptions {
  /** Accounts in the generated scenario. */
  accounts: number;
  /** Days of tickets per account. */
  days: number;
  /** Requests a second, open loop. */
  rps: number;
  seconds: number;
  /** Deliver the alert backlog of the fill before the load (otherwise the sender works through it during the load). */
  alertsFirst: boolean;
  /** Write a CPU profile of the daemon's process during the load (diagnosis; the sampling costs a little). */
  cpuProfile?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const mb = (n: number) => (n / 1024 / 1024).toFixed(0) + ' MiB';

/** PerformanceEntry gc kinds (perf_hooks.constants.NODE_PERFORMANCE_GC_*). */
const GC_KINDS: Array<[number, string]> = [
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor (scavenge)'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major (mark-compact)'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental marking'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weak callbacks'],
];

export async function healthQueryBench(o: HealthQueryOptions): Promise<void> {
  const logger = pino({ level: 'silent' });
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const config = loadConfig({ env: {}, overrides: { server: { port: 0 }, log: { level: 'silent' } } });
  const rss0 = process.memoryUsage().rss;
  const d = await startDaemon(config, { autoProcess: false, logger, alertsOut: quiet });
  // the generated scenario is the benchmark's, not the daemon's: only its size outlives the ingest
  const events = await (async () => {
    const sc = generateScenario({ seed: 43, accounts: o.accounts, days: o.days, startMs: Date.UTC(2026, 9, 1) });
    await d.ingest(sc.events, sc.accounts);
    return sc.events.length;
  })();
  const t0 = performance.now();
  await d.drain();
  const fillSecs = (performance.now() - t0) / 1000;
  global.gc?.();
  const stats = d.processor()!.stats();
  const mem = process.memoryUsage();
  console.log(`\n## health query, ${stats.accounts} accounts with state (${events} events over ${o.days} days, processed in ${fillSecs.toFixed(1)} s)`);
  console.log(
    `rss with ${stats.accounts} accounts: ${mb(mem.rss)} (process before the daemon: ${mb(rss0)}); JS heap used ${mb(mem.heapUsed)} = ${Math.round(mem.heapUsed / stats.accounts)} bytes per account (heap committed ${mb(mem.heapTotal)}, outside the heap ${mb(mem.external)})${global.gc ? '' : ' (run with --expose-gc for a figure after a full GC)'}`,
  );
  const ids = (await d.store.collection<{ _id: string; accountId: string }>('health').find({})).map((h) => h.accountId);
  console.log(`accounts queried: the ${ids.length} with a health score (of ${o.accounts} generated; the others had no event in ${o.days} days)`);
  const alerts = d.store.collection('alerts');
  const waiting = () => alerts.count({ status: { $in: ['pending', 'sending'] } });
  if (o.alertsFirst) {
    const t = performance.now();
    let passes = 0;
    // until a pass delivers nothing more (alerts not yet due, e.g. grouped, stay)
    for (let left = await waiting(), before = Infinity; left > 0 && left < before; passes++) {
      await d.flushAlerts();
      before = left;
      left = await waiting();
    }
    console.log(`alert backlog delivered before the load: ${passes} sender passes in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  console.log(`alerts waiting for the sender during the load: ${await waiting()} (it delivers ${config.alerts.delivery.batchSize} a pass, a pass every ${config.alerts.delivery.pollMs} ms)`);
  const idFile = join(mkdtempSync(join(tmpdir(), 'vigil-bench-')), 'ids.json');
  writeFileSync(idFile, JSON.stringify(ids));
  ids.length = 0;
  // what the daemon's own process went through while it answered: event-loop stalls and GC pauses
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const pauses: Array<{ kind: number; ms: number }> = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0, ms: e.duration });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const profiler = o.cpuProfile ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, [join(here, 'load.js'), '--url', d.url, '--ids', idFile, '--rps', String(o.rps), '--seconds', String(o.seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout.on('data', (b: Buffer) => (text += b.toString()));
    p.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`load exited ${code}`))));
  });
  const cpu = process.cpuUsage(cpu0);
  loopDelay.disable();
  gcObserver.disconnect();
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(o.cpuProfile!, JSON.stringify(profile));
    profiler.disconnect();
  }
  process.stdout.write(out);
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(`daemon during the load: CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; event-loop delay p50 ${ms(loopDelay.percentile(50))} ms, p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms`);
  for (const [kind, name] of GC_KINDS) {
    const of = pauses.filter((p) => p.kind === kind);
    if (of.length) console.log(`  GC ${name}: ${of.length} pauses, ${of.reduce((a, p) => a + p.ms, 0).toFixed(0)} ms in all, longest ${Math.max(...of.map((p) => p.ms)).toFixed(1)} ms`);
  }
  console.log(`rss after the load: ${mb(process.memoryUsage().rss)}`);
  await d.stop();
}
