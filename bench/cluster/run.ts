// Benchmark of `vigil cluster`: grouping accuracy on each Loghub-2k system, then throughput and peak
// RSS on a 1M-message replay and on a 100k-template stream, with Drain3 (defaults + our masks) beside it.
//
// Usage: npx tsc -p tsconfig.json && node dist/bench/cluster/run.js [--messages N] [--templates N] [--drain3-seconds S]
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MASKS } from '../../src/engines/errors/masks.js';
import { mulberry32 } from '../../src/engines/mulberry32.js';

interface Args {
  messages: number;
  templates: number;
  drain3Seconds: number;
  data: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { messages: 1_000_000, templates: 100_000, drain3Seconds: 300, data: '' };
  for (let i = 0; i + 1 < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]!];
    if (flag === '--messages') args.messages = Number(value);
    else if (flag === '--templates') args.templates = Number(value);
    else if (flag === '--drain3-seconds') args.drain3Seconds = Number(value);
    else if (flag === '--data') args.data = value;
    else throw new Error(`unknown option ${flag} (expected --messages, --templates, --drain3-seconds, --data)`);
  }
  return args;
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the bench script');
    dir = up;
  }
  return dir;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Grouping accuracy (Zhu et al. 2019): a message counts when its predicted cluster is exactly its true group. */
export function groupingAccuracy(predicted: readonly string[], truth: readonly string[]): number {
  const predSize = new Map<string, number>();
  const trueSize = new Map<string, number>();
  const both = new Map<string, number>();
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i]!;
    const t = truth[i]!;
    predSize.set(p, (predSize.get(p) ?? 0) + 1);
    trueSize.set(t, (trueSize.get(t) ?? 0) + 1);
    const k = `${p}\u0000${t}`;
    both.set(k, (both.get(k) ?? 0) + 1);
  }
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) {
    const n = both.get(`${predicted[i]}\u0000${truth[i]}`)!;
    if (predSize.get(predicted[i]!) === n && trueSize.get(truth[i]!) === n) correct++;
  }
  return predicted.length === 0 ? 1 : correct / predicted.length;
}

interface Timed {
  stdout: string;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  stderr: string;
}

/** Runs a command with stdin from a file under /usr/bin/time, for wall time and peak RSS. */
function timed(cmd: string[], inputFile: string, keepStdout: boolean, cwd: string): Timed {
  const input = openSync(inputFile, 'r');
  const devnull = keepStdout ? 'pipe' : openSync('/dev/null', 'w');
  const start = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'VIGIL_BENCH_RSS_KB=%M CPU=%U+%S', ...cmd], {
    cwd,
    stdio: [input, devnull, 'pipe'],
    maxBuffer: 1 << 30,
    encoding: 'utf8',
    env: { ...process.env, DOTENV_CONFIG_QUIET: 'true' },
  });
  const seconds = (performance.now() - start) / 1000;
  closeSync(input);
  if (typeof devnull === 'number') closeSync(devnull);
  const stderr = r.stderr ?? '';
  const rss = /VIGIL_BENCH_RSS_KB=(\d+) CPU=([\d.]+)\+([\d.]+)/.exec(stderr);
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${stderr.slice(0, 500)}`);
  const cpuSeconds = rss ? Number(rss[2]) + Number(rss[3]) : NaN;
  return { stdout: r.stdout ?? '', seconds, cpuSeconds, peakRssMb: rss ? Number(rss[1]) / 1024 : NaN, stderr };
}

/** Deterministic PRNG (mulberry32) so every run replays the same stream. */
function prng(seed: number): () => number {
  return mulberry32(seed);
}

/** A Loghub line with every digit run replaced by fresh digits of the same length. */
function freshValues(line: string, rand: () => number): string {
  return line.replace(/\d+/g, (d) => {
    let s = '';
    for (let i = 0; i < d.length; i++) s += String.fromCharCode(48 + Math.floor(rand() * 10));
    return s;
  });
}

/** A letters-only word unique to n (no digits, so no mask hides it): it makes a template distinct. */
function wordFor(n: number): string {
  let s = '';
  let x = n;
  do {
    s += String.fromCharCode(97 + (x % 26));
    x = Math.floor(x / 26);
  } while (x > 0);
  return `tpl${s}`;
}

async function writeLines(file: string, count: number, make: (i: number) => string): Promise<void> {
  const out = createWriteStream(file);
  let buf = '';
  for (let i = 0; i < count; i++) {
    buf += make(i) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
}

function fmt(n: number, digits = 3): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const root = repoRoot();
  const dataDir = args.data || resolve(root, '../shared/bench-data/loghub');
  const cli = ['node', join(root, 'dist/src/cli/main.js'), 'cluster', '--jsonl'];
  const peer = ['python3', join(root, 'bench/cluster/drain3_peer.py')];
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-cluster-'));
  const masksFile = join(work, 'masks.json');
  writeFileSync(masksFile, JSON.stringify(DEFAULT_MASKS));
  const allLines: string[] = [];
  try {
    console.log(`# vigil cluster vs Drain3 (default config + the same ${DEFAULT_MASKS.length} masks)`);
    console.log(`data: ${dataDir}`);
    console.log('');
    console.log('| system | messages | true groups | vigil GA | vigil clusters | Drain3 GA | Drain3 clusters |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    const files = readdirSync(dataDir).filter((f) => f.endsWith('_structured.csv')).sort();
    let sumVigil = 0;
    let sumDrain = 0;
    for (const f of files) {
      const rows = parseCsv(readFileSync(join(dataDir, f), 'utf8'));
      const header = rows[0]!;
      const ci = header.indexOf('Content');
      const ei = header.indexOf('EventId');
      const data = rows.slice(1).filter((r) => r.length > Math.max(ci, ei));
      // One message per line: a Content that holds a newline would shift every later line.
      const contents = data.map((r) => r[ci]!.replace(/[\r\n]+/g, ' '));
      const truth = data.map((r) => r[ei]!);
      allLines.push(...contents);
      const input = join(work, `${f}.txt`);
      writeFileSync(input, contents.join('\n') + '\n');
      const ours = timed(cli, input, true, root).stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { cluster: string }).cluster);
      const theirs = timed([...peer, masksFile, input], input, true, root).stdout.trimEnd().split('\n');
      if (ours.length !== truth.length || theirs.length !== truth.length) throw new Error(`${f}: output has ${ours.length} / ${theirs.length} lines for ${truth.length} messages`);
      const gaOurs = groupingAccuracy(ours, truth);
      const gaTheirs = groupingAccuracy(theirs, truth);
      sumVigil += gaOurs;
      sumDrain += gaTheirs;
      console.log(`| ${f.split('_')[0]} | ${truth.length} | ${new Set(truth).size} | ${fmt(gaOurs)} | ${new Set(ours).size} | ${fmt(gaTheirs)} | ${new Set(theirs).size} |`);
    }
    console.log(`| **average** | | | **${fmt(sumVigil / files.length, 4)}** | | **${fmt(sumDrain / files.length, 4)}** | |`);
    console.log('');

    const replay = join(work, 'replay.txt');
    const rand = prng(20191);
    await writeLines(replay, args.messages, (i) => freshValues(allLines[i % allLines.length]!, rand));
    const distinct = join(work, 'distinct.txt');
    const perTemplate = Math.max(1, Math.round(args.messages / args.templates));
    const rand2 = prng(42);
    await writeLines(distinct, args.templates * perTemplate, (i) => {
      const t = i % args.templates;
      return `${wordFor(t)} ${freshValues(allLines[t % allLines.length]!, rand2)}`;
    });

    console.log('| stream | messages | vigil msgs/s (wall) | vigil msgs/s (CPU) | vigil peak RSS MB | Drain3 msgs/s (wall) | Drain3 msgs/s (CPU) | Drain3 peak RSS MB | speed-up (wall / CPU) |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const [name, file, count] of [
      [`replay, fresh values`, replay, args.messages],
      [`${args.templates} distinct templates`, distinct, args.templates * perTemplate],
    ] as Array<[string, string, number]>) {
      const ours = timed(cli, file, false, root);
      const theirs = timed([...peer, masksFile, file, '--quiet', `--max-seconds=${args.drain3Seconds}`], file, false, root);
      const report = JSON.parse(theirs.stderr.split('\n').find((l) => l.startsWith('{'))!) as { messages: number; seconds: number; cpu_seconds: number };
      const oursWall = count / ours.seconds;
      const oursCpu = count / ours.cpuSeconds;
      const theirsWall = report.messages / report.seconds;
      const theirsCpu = report.messages / report.cpu_seconds;
      const partial = report.messages < count ? ` (stopped at ${report.messages})` : '';
      console.log(
        `| ${name} | ${count} | ${Math.round(oursWall)} | ${Math.round(oursCpu)} | ${fmt(ours.peakRssMb, 0)} | ${Math.round(theirsWall)}${partial} | ${Math.round(theirsCpu)} | ${fmt(theirs.peakRssMb, 0)} | ${fmt(oursWall / theirsWall, 1)}x / ${fmt(oursCpu / theirsCpu, 1)}x |`,
      );
    }
    console.log('');
    console.log('vigil: whole process (start-up, reading stdin, clustering, writing one JSON line per message); wall = elapsed, CPU = user+sys.');
    console.log('Drain3: the add_log_message loop only (no start-up, no output), so the comparison favours Drain3.');
    console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores (other processes share the machine; the CPU rate is the one they disturb least).`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
