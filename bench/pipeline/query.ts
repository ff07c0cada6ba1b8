// The health-query part of the pipeline benchmark: fills a daemon on the embedded store with many
// accounts, then times GET /v1/accounts/:id/health at a fixed rate from a separate load process.
//
// Only accounts that have a health score are queried (an account is scored once it has an event; a
// generated account may have none in a short scenario): a 404 is a cheap answer and would flatter the
// figure. The load process still counts answers by status, so a 404 shows up if one happens.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import type { Doc, Store } from '../../src/store/repository.js';

export interface HealthQueryOptions {
  /** Accounts in the generated scenario. */
  accounts: number;
  /** Days of tickets per account. */
  days: number;
  /** Requests a second, open loop. */
  rps: number;
  seconds: number;
  /**
   * Seconds of the same load before the measured one, on other accounts: the handlers' code is
   * compiled by then, as in a daemon that has been up for a while. 0: none.
   */
  warmupSeconds: number;
  /** Deliver the alert backlog of the fill before the load (otherwise the sender works through it during the load). */
  alertsFirst: boolean;
  /** Write a CPU profile of the daemon's process during the load (diagnosis; the sampling costs a little). */
  cpuProfile?: string;
  /**
   * For iteration only: process a scenario this many times smaller and copy its accounts' documents
   * (health, account, page, history) under new ids up to `accounts`. The API then reads as many
   * documents as after the full fill in minutes less, but the pipeline holds the state of the small
   * scenario only, so the RSS figure is not that of `accounts` accounts.
   */
  replicate?: number;
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
  // warnings and errors of the daemon go to stderr: a fill that loses its lease or fails a step says so
  const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const config = loadConfig({ env: {}, overrides: { server: { port: 0 }, log: { level: 'silent' } } });
  const rss0 = process.memoryUsage().rss;
  const d = await startDaemon(config, { autoProcess: false, logger, alertsOut: quiet });
  // the generated scenario is the benchmark's, not the daemon's: only its size outlives the ingest
  const copies = Math.max(1, Math.floor(o.replicate ?? 1));
  const events = await (async () => {
    const sc = generateScenario({ seed: 43, accounts: Math.ceil(o.accounts / copies), days: o.days, startMs: Date.UTC(2026, 9, 1) });
    await d.ingest(sc.events, sc.accounts);
    return sc.events.length;
  })();
  const t0 = performance.now();
  await d.drain();
  if (copies > 1) await replicateAccounts(d.store, copies);
  const fillSecs = (performance.now() - t0) / 1000;
  global.gc?.();
  const proc = d.processor();
  if (!proc) throw new Error('the daemon has no pipeline after the fill (it stood down: see the warnings above)');
  const stats = proc.stats();
  const mem = process.memoryUsage();
  if (copies > 1) console.log(`\n(iteration fill: the documents of ${stats.accounts} processed accounts copied ${copies} times; RSS below is not that of a full fill)`);
  // the daemon runs in this process: its V8 flags are these
  console.log(`\nnode flags of the daemon's process: ${process.execArgv.join(' ') || '(none)'}`);
  console.log(`## health query, ${stats.accounts} accounts with state (${events} events over ${o.days} days, processed in ${fillSecs.toFixed(1)} s)`);
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
  let loadStart = Infinity;
  const gcObserver = new PerformanceObserver((list) => {
    // entries reach the observer late: the full GC forced after the fill would otherwise count as a pause of the load
    for (const e of list.getEntries()) if (e.startTime >= loadStart) pauses.push({ kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0, ms: e.duration });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const profiler = o.cpuProfile ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  if (o.warmupSeconds > 0) {
    const w = await runLoad(d.url, idFile, { ...o, seconds: o.warmupSeconds }, o.rps * o.seconds);
    const line = w.split('\n').find((l) => l.startsWith('GET')) ?? '';
    console.log(`warm-up, not counted (other accounts than the measured load): ${line}`);
  }
  // the pipeline's own background work (e.g. a tick that moves idle event time past a day's end and
  // scores every account) competes with the answers: counted, so a run it fell into is recognisable
  const scoredBefore = proc.stats().scored;
  loopDelay.enable();
  loadStart = performance.now();
  const cpu0 = process.cpuUsage();
  const out = await runLoad(d.url, idFile, o);
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
  console.log(`pipeline work during the load: ${proc.stats().scored - scoredBefore} accounts scored (0: the answers had the daemon to themselves)`);
  for (const [kind, name] of GC_KINDS) {
    const of = pauses.filter((p) => p.kind === kind);
    if (of.length) console.log(`  GC ${name}: ${of.length} pauses, ${of.reduce((a, p) => a + p.ms, 0).toFixed(0)} ms in all, longest ${Math.max(...of.map((p) => p.ms)).toFixed(1)} ms`);
  }
  console.log(`rss after the load: ${mb(process.memoryUsage().rss)}`);
  await d.stop();
  await floor(o, idFile);
}

/**
 * The same load against a bare node:http server that answers every request with one constant
 * answer of the same size: what this machine, at this moment, allows any HTTP server in Node.
 */
async function floor(o: HealthQueryOptions, idFile: string): Promise<void> {
  const answer = Buffer.from(JSON.stringify({ text: 'x'.repeat(3000) }));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length });
    res.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const out = await runLoad(`http://127.0.0.1:${port}`, idFile, o);
  await new Promise((resolve) => server.close(resolve));
  console.log(`floor: the same load against a bare node:http server with a constant ${answer.length}-byte answer:`);
  process.stdout.write(out.split('\n').filter((l) => l.startsWith('GET') || l.startsWith('load average')).map((l) => `  ${l}\n`).join(''));
}

function runLoad(url: string, idFile: string, o: HealthQueryOptions, offset = 0): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const args = [join(here, 'load.js'), '--url', url, '--ids', idFile, '--rps', String(o.rps), '--seconds', String(o.seconds), '--offset', String(offset)];
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout.on('data', (b: Buffer) => (text += b.toString()));
    p.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`load exited ${code}`))));
  });
}

/** Copies every processed account's documents under `copies - 1` new ids each (see HealthQueryOptions.replicate). */
async function replicateAccounts(store: Store, copies: number): Promise<void> {
  const withId = (id: string, k: number) => `${id}~${k}`;
  for (const name of ['health', 'accounts', 'accountStates'] as const) {
    const coll = store.collection<Doc & { accountId?: string }>(name);
    const docs = await coll.find({});
    for (let k = 1; k < copies; k++) {
      await coll.putMany(docs.map((doc) => ({ ...doc, _id: withId(doc._id, k), ...(doc.accountId ? { accountId: withId(doc.accountId, k) } : {}) })));
    }
  }
  const history = store.collection<Doc & { accountId: string; month: string }>('healthHistory');
  const months = await history.find({});
  for (let k = 1; k < copies; k++) {
    await history.putMany(months.map((doc) => ({ ...doc, _id: `${withId(doc.accountId, k)}|${doc.month}`, accountId: withId(doc.accountId, k) })));
  }
}
