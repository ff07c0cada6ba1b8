// Pipeline benchmark: events/s through the whole pipeline in one process on the embedded store,
// the health-query latency at a fixed request rate with many accounts, and the RSS it takes.
//
//   npm run build && node dist/bench/pipeline/run.js [--accounts 2000] [--days 35]
//       [--query-accounts 100000] [--rps 1000] [--seconds 10]
//
// Part 1 replays generated scenarios (src/scenario) already in the event log through
// processor.drain(), timed alone. Part 2 fills the daemon with --query-accounts accounts (a few
// days of tickets each), then a separate load process (bench/pipeline/load.js) sends
// GET /v1/accounts/:id/health at --rps on loopback, open loop, and reports p50/p99.
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir, cpus, totalmem, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Writable } from 'node:stream';
import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { generateScenario } from '../../src/scenario/generate.js';
import { timedDrain } from './timed-drain.js';

process.env.DOTENV_CONFIG_QUIET ??= 'true';
const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    accounts: { type: 'string', default: '2000' },
    days: { type: 'string', default: '35' },
    'query-accounts': { type: 'string', default: '100000' },
    'query-days': { type: 'string', default: '3' },
    rps: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    part: { type: 'string', default: 'all' },
    // the fill leaves thousands of alerts to deliver (20 a second): with this, they go out before the load
    'alerts-first': { type: 'boolean', default: false },
  },
});
const quiet = new Writable({ write: (_c, _e, cb) => cb() });
const logger = pino({ level: 'silent' });
const mb = (n: number) => (n / 1024 / 1024).toFixed(0) + ' MiB';

console.log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

async function throughput(): Promise<void> {
  const accounts = Number(args.accounts);
  const days = Number(args.days);
  const { daemon: d, scenario: sc, secs, cpuSecs } = await timedDrain({ seed: 42, accounts, days });
  const stats = d.processor()!.stats();
  console.log(`\n## pipeline, embedded store, one process`);
  console.log(`events: ${sc.events.length} (${accounts} accounts, ${days} days; ${stats.clusters} clusters, ${stats.openIncidents} open incidents)`);
  console.log(`drain: ${secs.toFixed(2)} s = ${Math.round(sc.events.length / secs)} events/s (includes daily health points for every account, checkpoints, findings)`);
  // The machine is shared: CPU time of this process (all its threads, GC included) moves far less with load than wall time.
  console.log(`drain CPU: ${cpuSecs.toFixed(2)} s = ${Math.round(sc.events.length / cpuSecs)} events per CPU second (load average ${loadavg()[0]!.toFixed(2)})`);
  console.log(`rss after: ${mb(process.memoryUsage().rss)}`);
  await d.stop();
}

async function healthQuery(): Promise<void> {
  const accounts = Number(args['query-accounts']);
  const days = Number(args['query-days']);
  const config = loadConfig({ env: {}, overrides: { server: { port: 0 }, log: { level: 'silent' } } });
  const rss0 = process.memoryUsage().rss;
  const d = await startDaemon(config, { autoProcess: false, logger, alertsOut: quiet });
  // the generated scenario is the benchmark's, not the daemon's: only its size and ids outlive the ingest
  const { events, ids } = await (async () => {
    const sc = generateScenario({ seed: 43, accounts, days, startMs: Date.UTC(2026, 9, 1) });
    await d.ingest(sc.events, sc.accounts);
    return { events: sc.events.length, ids: sc.accounts.map((a) => a.accountId) };
  })();
  const t0 = performance.now();
  await d.drain();
  const fillSecs = (performance.now() - t0) / 1000;
  global.gc?.();
  const stats = d.processor()!.stats();
  const mem = process.memoryUsage();
  console.log(`\n## health query, ${stats.accounts} accounts with state (${events} events over ${days} days, processed in ${fillSecs.toFixed(1)} s)`);
  console.log(`rss with ${stats.accounts} accounts: ${mb(mem.rss)} (process before the daemon: ${mb(rss0)}); JS heap used ${mb(mem.heapUsed)} = ${Math.round(mem.heapUsed / stats.accounts)} bytes per account (heap committed ${mb(mem.heapTotal)}, outside the heap ${mb(mem.external)})${global.gc ? '' : ' (run with --expose-gc for a figure after a full GC)'}`);
  const alerts = d.store.collection('alerts');
  if (args['alerts-first']) {
    const t = performance.now();
    let passes = 0;
    // until a pass delivers nothing more (alerts not yet due, e.g. grouped, stay)
    for (let left = await alerts.count({ status: { $in: ['pending', 'sending'] } }), before = Infinity; left > 0 && left < before; passes++) {
      await d.flushAlerts();
      before = left;
      left = await alerts.count({ status: { $in: ['pending', 'sending'] } });
    }
    console.log(`alert backlog delivered before the load: ${passes} sender passes in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  console.log(`alerts waiting for the sender during the load: ${await alerts.count({ status: { $in: ['pending', 'sending'] } })} (it delivers ${config.alerts.delivery.batchSize} a pass, a pass every ${config.alerts.delivery.pollMs} ms)`);
  const idFile = join(mkdtempSync(join(tmpdir(), 'vigil-bench-')), 'ids.json');
  writeFileSync(idFile, JSON.stringify(ids));
  // what the daemon's own process went through while it answered: event-loop stalls and GC pauses
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const pauses: Array<{ kind: number; ms: number }> = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0, ms: e.duration });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, [join(here, 'load.js'), '--url', d.url, '--ids', idFile, '--rps', String(args.rps), '--seconds', String(args.seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout.on('data', (b: Buffer) => (text += b.toString()));
    p.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`load exited ${code}`))));
  });
  const cpu = process.cpuUsage(cpu0);
  loopDelay.disable();
  gcObserver.disconnect();
  process.stdout.write(out);
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(`daemon during the load: CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; event-loop delay p50 ${ms(loopDelay.percentile(50))} ms, p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms`);
  for (const [kind, name] of GC_KINDS) {
    const of = pauses.filter((p) => p.kind === kind);
    if (of.length) console.log(`  GC ${name}: ${of.length} pauses, ${of.reduce((a, p) => a + p.ms, 0).toFixed(0)} ms in all, longest ${Math.max(...of.map((p) => p.ms)).toFixed(1)} ms`);
  }
  await d.stop();
}

/** PerformanceEntry gc kinds (perf_hooks.constants.NODE_PERFORMANCE_GC_*). */
const GC_KINDS: Array<[number, string]> = [
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor (scavenge)'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major (mark-compact)'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental marking'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weak callbacks'],
];

if (args.part === 'all' || args.part === 'throughput') await throughput();
if (args.part === 'all' || args.part === 'query') await healthQuery();
