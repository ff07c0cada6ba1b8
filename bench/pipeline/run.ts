// Pipeline benchmark: events/s through the whole pipeline in one process on the embedded store,
// the health-query latency at a fixed request rate with many accounts, and the RSS it takes.
//
//   npm run build && node --max-old-space-size=8192 --max-semi-space-size=32 --expose-gc dist/bench/pipeline/run.js [--accounts 2000] [--days 35] [--repeat 1]
//       [--query-accounts 100000] [--rps 1000] [--seconds 10] [--warmup-seconds 2]
//
// Part 1 replays generated scenarios (src/scenario) already in the event log through
// processor.drain(), timed alone. Part 2 fills the daemon with --query-accounts accounts (a few
// days of tickets each), then a separate load process (bench/pipeline/load.js) sends
// GET /v1/accounts/:id/health at --rps on loopback, open loop, and reports p50/p99 (bench/pipeline/query.ts).
import { cpus, totalmem, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { timedDrain } from './timed-drain.js';

process.env.DOTENV_CONFIG_QUIET ??= 'true';
const { values: args } = parseArgs({
  options: {
    accounts: { type: 'string', default: '2000' },
    days: { type: 'string', default: '35' },
    'query-accounts': { type: 'string', default: '100000' },
    'query-days': { type: 'string', default: '3' },
    rps: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    // health query: seconds of the same load on other accounts first, not counted (compiled handlers)
    'warmup-seconds': { type: 'string', default: '2' },
    part: { type: 'string', default: 'all' },
    // throughput: drains of the same scenario, each in a fresh daemon; with more than one, the median too (a shared machine's load moves single runs)
    repeat: { type: 'string', default: '1' },
    // the fill leaves thousands of alerts to deliver (20 a second): with this, they go out before the load
    'alerts-first': { type: 'boolean', default: false },
    // health query: a CPU profile of the daemon during the load, to this file
    'cpu-profile': { type: 'string' },
    // health query, iteration only: process accounts/N and copy their documents N times (RSS not comparable)
    replicate: { type: 'string', default: '1' },
  },
});
const mb = (n: number) => (n / 1024 / 1024).toFixed(0) + ' MiB';

console.log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

async function throughput(): Promise<void> {
  const runs = Math.max(1, Number(args.repeat));
  const rates: Array<{ wall: number; cpu: number; main: number }> = [];
  for (let i = 0; i < runs; i++) rates.push(await throughputOnce());
  if (runs === 1) return;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  console.log(`\n## ${runs} drains: median ${Math.round(median(rates.map((r) => r.wall)))} events/s, median ${Math.round(median(rates.map((r) => r.cpu)))} events per CPU second, median ${Math.round(median(rates.map((r) => r.main)))} per main-thread CPU second (each: ${rates.map((r) => `${Math.round(r.wall)}/${Math.round(r.cpu)}/${Math.round(r.main)}`).join(', ')}; load average ${loadavg()[0]!.toFixed(2)})`);
}

async function throughputOnce(): Promise<{ wall: number; cpu: number; main: number }> {
  const accounts = Number(args.accounts);
  const days = Number(args.days);
  const { daemon: d, scenario: sc, secs, cpuSecs, mainCpuSecs, gc } = await timedDrain({ seed: 42, accounts, days });
  const stats = d.processor()!.stats();
  console.log(`\n## pipeline, embedded store, one process`);
  console.log(`events: ${sc.events.length} (${accounts} accounts, ${days} days; ${stats.clusters} clusters, ${stats.openIncidents} open incidents)`);
  console.log(`drain: ${secs.toFixed(2)} s = ${Math.round(sc.events.length / secs)} events/s (includes daily health points for every account, checkpoints, findings)`);
  // The machine is shared: CPU time of this process (all its threads, GC included) moves far less with load than wall time.
  console.log(`drain CPU: ${cpuSecs.toFixed(2)} s = ${Math.round(sc.events.length / cpuSecs)} events per CPU second (load average ${loadavg()[0]!.toFixed(2)})`);
  if (mainCpuSecs !== undefined) console.log(`drain CPU of the main thread: ${mainCpuSecs.toFixed(2)} s = ${Math.round(sc.events.length / mainCpuSecs)} events per main-thread CPU second (the rest: the preparation worker and V8's GC helper threads)`);
  console.log(`accounts scored: ${stats.scored} (each account with events in a ${d.config.pipeline.evaluationPeriodMs / 60_000}-min period at its end, every account at each day's end)`);
  console.log(`GC pauses during the drain: ${gc.minor.pauses} scavenges ${gc.minor.ms.toFixed(0)} ms, ${gc.major.pauses} mark-compacts ${gc.major.ms.toFixed(0)} ms (wall time of the pauses)`);
  const prep = d.processor()!.engines.preparer.counts;
  if (prep.worker + prep.here > 0) console.log(`events prepared (errors, sentiment) on the worker thread: ${prep.worker}, on the pipeline's own after all: ${prep.here}`);
  console.log(`rss after: ${mb(process.memoryUsage().rss)}`);
  await d.stop();
  return { wall: sc.events.length / secs, cpu: sc.events.length / cpuSecs, main: sc.events.length / (mainCpuSecs ?? cpuSecs) };
}

async function healthQuery(): Promise<void> {
  const { healthQueryBench } = await import('./query.js');
  await healthQueryBench({
    accounts: Number(args['query-accounts']),
    days: Number(args['query-days']),
    rps: Number(args.rps),
    seconds: Number(args.seconds),
    warmupSeconds: Number(args['warmup-seconds']),
    alertsFirst: args['alerts-first'],
    ...(args['cpu-profile'] ? { cpuProfile: args['cpu-profile'] } : {}),
    replicate: Number(args.replicate),
  });
}

if (args.part === 'all' || args.part === 'throughput') await throughput();
if (args.part === 'all' || args.part === 'query') await healthQuery();
