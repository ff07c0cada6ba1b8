// The pipeline benchmarks' common run: a generated scenario ingested into a daemon on the embedded
// store (processing off), then one timed drain, in wall and in CPU time.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon, type DaemonHandle } from '../../src/daemon/daemon.js';
import { generateScenario, type Scenario } from '../../src/scenario/generate.js';

export interface TimedDrain {
  daemon: DaemonHandle;
  scenario: Scenario;
  /** Wall-clock seconds of the drain. */
  secs: number;
  /** CPU seconds of this process (all threads, GC included) during the drain: less sensitive to machine load. */
  cpuSecs: number;
  /**
   * CPU seconds of the main thread alone during the drain (Linux; undefined elsewhere): the
   * pipeline's own critical path, where work moved to a worker thread no longer counts.
   */
  mainCpuSecs: number | undefined;
  /** GC pauses of the main thread during the drain: young-generation scavenges and full mark-compacts. */
  gc: { minor: GcTotal; major: GcTotal };
}

export interface GcTotal {
  pauses: number;
  ms: number;
}

/** CPU seconds of this process's main thread so far, from /proc (Linux); undefined where it cannot be read. */
function mainThreadCpuSecs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces): utime and stime are the 12th and 13th
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The kernel's unit of thread CPU time in /proc (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

export async function timedDrain(opts: { seed: number; accounts: number; days: number; overrides?: object }): Promise<TimedDrain> {
  const scenario = generateScenario({ seed: opts.seed, accounts: opts.accounts, days: opts.days, startMs: Date.UTC(2026, 9, 1) });
  const config = loadConfig({ env: {}, overrides: { ...(opts.overrides ?? {}), server: { port: 0 }, log: { level: 'silent' } } });
  const daemon = await startDaemon(config, { autoProcess: false, logger: pino({ level: 'silent' }), alertsOut: new Writable({ write: (_c, _e, cb) => cb() }) });
  await daemon.ingest(scenario.events, scenario.accounts);
  const gc = { minor: { pauses: 0, ms: 0 }, major: { pauses: 0, ms: 0 } };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      const total = kind === constants.NODE_PERFORMANCE_GC_MINOR ? gc.minor : kind === constants.NODE_PERFORMANCE_GC_MAJOR ? gc.major : null;
      if (!total) continue;
      total.pauses++;
      total.ms += e.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const m0 = mainThreadCpuSecs();
  await daemon.drain();
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const m1 = mainThreadCpuSecs();
  // entries of the last pauses are delivered asynchronously: let them arrive before counting
  await new Promise<void>((resolve) => setImmediate(resolve));
  observer.disconnect();
  return { daemon, scenario, secs, cpuSecs: (cpu.user + cpu.system) / 1e6, mainCpuSecs: m0 === undefined || m1 === undefined ? undefined : m1 - m0, gc };
}
