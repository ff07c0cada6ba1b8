// NAB benchmark: runs `vigil detect` on every series of the corpus, scores the output with our NAB
// v1.1 scorer (standard, reward_low_FP, reward_low_FN) and prints detector throughput and state size.
// Usage: node dist/bench/nab/run.js [--data DIR] [--cli dist/src/cli/main.js] [--inproc] [--set JSON] [--per-file]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { detectConfig } from '../../src/engines/detect/config.js';
import { SeriesDetector } from '../../src/engines/detect/series-detector.js';
import { parseTimestamp } from '../../src/cli/detect.js';
import { scoreProfile, type CostMatrix, type ScoredSeries } from './scorer.js';

interface Args {
  data: string;
  cli: string;
  inproc: boolean;
  set: Record<string, unknown>;
  perFile: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { data: new URL('../../../../shared/bench-data/nab', import.meta.url).pathname, cli: 'dist/src/cli/main.js', inproc: false, set: {}, perFile: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--data') a.data = argv[++i]!;
    else if (k === '--cli') a.cli = argv[++i]!;
    else if (k === '--inproc') a.inproc = true;
    else if (k === '--set') a.set = JSON.parse(argv[++i]!) as Record<string, unknown>;
    else if (k === '--per-file') a.perFile = true;
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

function parseCsv(text: string, withScore: boolean): { t: number[]; v: number[]; s: number[] } {
  const lines = text.split('\n');
  const t: number[] = [];
  const v: number[] = [];
  const s: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const parts = line.split(',');
    t.push(parseTimestamp(parts[0]!));
    v.push(Number(parts[1]));
    if (withScore) s.push(Number(parts[2]));
  }
  return { t, v, s };
}

function runCli(cli: string, input: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, 'detect'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`vigil detect exited ${code}: ${Buffer.concat(err).toString().slice(0, 500)}`));
      else resolvePromise(Buffer.concat(out).toString());
    });
    child.stdin.end(input);
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const files = readFileSync(join(args.data, 'files.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const windows = JSON.parse(readFileSync(join(args.data, 'combined_windows.json'), 'utf8')) as Record<string, Array<[string, string]>>;
  const profiles = JSON.parse(readFileSync(join(args.data, 'profiles.json'), 'utf8')) as Record<string, { CostMatrix: CostMatrix }>;
  const cfg = detectConfig.parse(args.set);
  const inputs = files.map((f) => ({ name: f, text: readFileSync(join(args.data, 'data', f), 'utf8') }));
  const series: ScoredSeries[] = new Array(files.length);
  const started = process.hrtime.bigint();
  let next = 0;
  // Two CLI processes at a time: the machine has two cores.
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const k = next++;
      const { name, text } = inputs[k]!;
      let parsed: { t: number[]; s: number[] };
      if (args.inproc) {
        const p = parseCsv(text, false);
        const d = new SeriesDetector(cfg);
        parsed = { t: p.t, s: p.t.map((t, i) => d.update(t, p.v[i]!)) };
      } else parsed = parseCsv(await runCli(resolve(args.cli), text), true);
      const w = (windows[name] ?? []).map(([a, b]) => [parseTimestamp(a.replace(/\.\d+$/, '')), parseTimestamp(b.replace(/\.\d+$/, ''))] as [number, number]);
      series[k] = { name, timestamps: parsed.t, scores: parsed.s, windows: w };
    }
  };
  await Promise.all([worker(), worker()]);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const points = series.reduce((n, s) => n + s.timestamps.length, 0);

  console.log(`NAB corpus: ${files.length} files, ${points} points, ${series.reduce((n, s) => n + s.windows.length, 0)} windows (${args.data})`);
  console.log(`mode: ${args.inproc ? 'in-process SeriesDetector' : `CLI ${args.cli} detect`}${Object.keys(args.set).length ? ` with ${JSON.stringify(args.set)}` : ''}`);
  for (const [name, key] of [['standard', 'standard'], ['reward_low_FP', 'reward_low_FP_rate'], ['reward_low_FN', 'reward_low_FN_rate']] as const) {
    const r = scoreProfile(series, profiles[key]!.CostMatrix);
    console.log(`${name.padEnd(14)} score ${r.normalized.toFixed(2).padStart(6)}  (threshold ${r.threshold.toFixed(6)}, raw ${r.raw.toFixed(3)}, null ${r.nullRaw.toFixed(3)}, perfect ${r.perfectRaw.toFixed(3)})`);
  }
  if (args.perFile) {
    const std = profiles.standard!.CostMatrix;
    const best = scoreProfile(series, std);
    for (const s of series) {
      const r = scoreProfile([s], std);
      const { scoreAtThreshold } = await import('./scorer.js');
      const atBest = scoreAtThreshold([s], std, best.threshold);
      console.log(`  ${s.name.padEnd(56)} windows ${s.windows.length}  raw@corpus-threshold ${atBest.toFixed(3)}  (alone best ${r.raw.toFixed(3)}, null ${r.nullRaw.toFixed(3)})`);
    }
  }
  console.log(`end to end: ${points} points in ${wallMs.toFixed(0)} ms with 2 workers (${Math.round(points / (wallMs / 1000))} points/s incl. process start and CSV I/O)`);

  // Detector alone, one process, one core: every series, several passes. CPU time is the figure:
  // the machine is shared, and wall-clock time counts other processes' turns as ours.
  const parsedAll = inputs.map((i) => parseCsv(i.text, false));
  const passes = 20;
  let sink = 0;
  let maxState = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (let p = 0; p < passes; p++) {
    for (const s of parsedAll) {
      const d = new SeriesDetector(cfg);
      const tt = s.t;
      const vv = s.v;
      for (let i = 0; i < tt.length; i++) sink += d.update(tt[i]!, vv[i]!);
      if (p === 0) maxState = Math.max(maxState, JSON.stringify(d.toJSON()).length);
    }
  }
  const detMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(`detector throughput: ${Math.round((points * passes) / (cpuMs / 1000))} points/s of CPU time (${Math.round((points * passes) / (detMs / 1000))} points/s wall-clock; single thread, ${passes} passes over the corpus; checksum ${sink.toFixed(1)})`);
  console.log(`largest detector state: ${maxState} bytes of JSON`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
