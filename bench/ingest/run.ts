// Ingest benchmark: POSTs batches of events over loopback HTTP to a Vigil process and prints
// events/s and p50/p99 batch latency, into the embedded store and into FerretDB. Bounded run.
//
//   npm run build && node dist/bench/ingest/run.js [--events 50000] [--batch 500] [--concurrency 2]
//       [--target intake|daemon|both] [--store memory|ferretdb|both] [--scenario-accounts N]
//
// target `intake`: the HTTP intake path alone (bench/ingest/intake-server.ts: server, validation,
// event log). target `daemon`: the real `vigil start` (node dist/src/cli/main.js start), whose
// pipeline processes the events while they arrive, on the same two cores; it also reports the end
// to end rate: from the first timed POST until the pipeline has read every event (processed, late
// or held for the watermark, per the daemon's /metrics). --scenario-accounts N posts the generated
// scenario (src/scenario: N accounts x 35 days, PUT as accounts first; 650 gives ~100k events)
// instead of --events synthetic ones: realistic incidents, account alerts and outreach. Each row
// also gives the CPU seconds the server (and FerretDB) used over the timed part, from /proc.
// --op-log has the driver log every database command of the daemon (bench/ingest/op-log.ts) and
// prints the round trips of the timed part per collection and kind, with their summed durations
// (the logging costs the daemon CPU: compare rates and CPU seconds from runs without it).
// --db-uri mongodb://127.0.0.1:PORT/ uses a FerretDB started by hand (say with --debug-addr, to
// take a CPU profile of it) instead of a fresh one; its database `vigil` should be empty.
// --node-args "--cpu-prof --cpu-prof-dir=DIR" passes node options to the server (a CPU profile of it).
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpus, loadavg, totalmem } from 'node:os';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { generateScenario } from '../../src/scenario/generate.js';
import { startFerretDb, type FerretDbInstance } from '../../test/support/ferretdb.js';
import { mulberry32 } from '../../src/engines/mulberry32.js';
import { MongoClient } from 'mongodb';
import { OP_LOG_ENV, summarizeOpLog } from './op-log.js';

const here = dirname(fileURLToPath(import.meta.url));
const distRoot = join(here, '..', '..');
const CLI = join(distRoot, 'src', 'cli', 'main.js');
const INTAKE = join(here, 'intake-server.js');
const TOKEN = 'bench-ingest-token-0123456789';
/** Batches sent before timing starts: connection setup, JIT and store warm-up. */
const WARMUP_BATCHES = 10;
/** The database the daemon uses (store.database's default). */
const DATABASE = 'vigil';
/** Characters of the server's stderr kept for error messages. */
const ERR_TAIL_CHARS = 20_000;
/** Longest a server may take to start listening. */
const START_TIMEOUT_MS = 60_000;

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    batch: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '2' },
    target: { type: 'string', default: 'both' },
    store: { type: 'string', default: 'both' },
    'scenario-accounts': { type: 'string', default: '0' },
    'op-log': { type: 'boolean', default: false },
    'db-uri': { type: 'string', default: '' },
    'node-args': { type: 'string', default: '' },
  },
});
const SCENARIO_ACCOUNTS = Number(args['scenario-accounts']);
/** Longest the pipeline may take to read everything after the last POST before the run counts as failed. */
const E2E_TIMEOUT_MS = 600_000;
/** Linux clock ticks per second (USER_HZ), the unit of CPU times in /proc/<pid>/stat. */
const CLOCK_TICKS = 100;
/** How often /metrics is read while waiting for the pipeline. */
const E2E_POLL_MS = 100;
const scenario = SCENARIO_ACCOUNTS > 0 ? generateScenario({ seed: 23, accounts: SCENARIO_ACCOUNTS, days: 35, startMs: Date.UTC(2026, 8, 1) }) : null;
const TOTAL = scenario ? scenario.events.length : Number(args.events);
const BATCH = Number(args.batch);
const CONCURRENCY = Number(args.concurrency);

/** Deterministic pseudo-random numbers (mulberry32), so every run sends the same events. */
function rng(seed: number): () => number {
  return mulberry32(seed);
}

const PHRASES = [
  'I cannot log in since this morning, the page says',
  'Checkout fails with error',
  'Thanks, that fixed it!',
  'The export has been stuck for two hours and the dashboard shows',
  'Our webhook deliveries are failing:',
  'Please escalate, this blocks our whole team.',
];
const ERRORS = ['ECONNRESET while calling payments-api', 'Timeout after 30000ms waiting for job 8812', 'HTTP 502 Bad Gateway from /v2/orders/1832', 'NullPointerException at InvoiceService.java:214'];
const TYPES = ['ticket.created', 'ticket.message', 'ticket.message', 'ticket.message', 'ticket.escalated', 'ticket.resolved', 'ticket.csat', 'error.reported'];

function makeEvents(n: number, prefix: string): string[] {
  if (scenario && !prefix.startsWith('warm')) return scenario.events.slice(0, n).map((e) => JSON.stringify({ ...e, occurredAt: new Date(e.occurredAt).toISOString() }));
  const rand = rng(42);
  const start = prefix.startsWith('warm') ? Date.UTC(2025, 9, 1) : Date.UTC(2026, 9, 1);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const type = TYPES[Math.floor(rand() * TYPES.length)]!;
    const e: Record<string, unknown> = {
      id: `${prefix}-${i}`,
      type,
      occurredAt: new Date(start + i * 1500).toISOString(),
      accountId: `acct-${Math.floor(rand() * 500)}`,
      ticketId: `t-${Math.floor(rand() * 20000)}`,
      author: rand() < 0.6 ? 'customer' : 'ai',
      text: `${PHRASES[Math.floor(rand() * PHRASES.length)]} ${ERRORS[Math.floor(rand() * ERRORS.length)]} (ref ${Math.floor(rand() * 1e6)})`,
      channel: 'email',
      tags: ['billing'],
    };
    if (type === 'ticket.csat') e.csat = 1 + Math.floor(rand() * 5);
    if (type === 'error.reported') {
      delete e.ticketId;
      e.error = ERRORS[Math.floor(rand() * ERRORS.length)];
    }
    out.push(JSON.stringify(e));
  }
  return out;
}

/** The server's stdout goes to `stdoutPath` when given (the op log), else nowhere. */
async function startServer(target: string, env: Record<string, string>, stdoutPath?: string): Promise<{ url: string; child: ChildProcess }> {
  const nodeArgs = args['node-args'] ? args['node-args'].split(' ').filter(Boolean) : [];
  const argv = [...nodeArgs, ...(target === 'daemon' ? [CLI, 'start', '--port', '0'] : [INTAKE])];
  const out = stdoutPath ? openSync(stdoutPath, 'a') : 'ignore';
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, DOTENV_CONFIG_QUIET: 'true', VIGIL_API_TOKENS: `${TOKEN}:read+write`, VIGIL_LOG__LEVEL: 'error', ...env },
    stdio: ['ignore', out, 'pipe'],
  });
  if (typeof out === 'number') closeSync(out);
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // a server that never listens (e.g. a config error it logs and waits on) is not left behind
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${START_TIMEOUT_MS} ms: ${err}`));
    }, START_TIMEOUT_MS);
    child.stderr!.on('data', (b: Buffer) => {
      // the tail is enough for an error message; a chatty server does not grow this without bound
      err = (err + b.toString()).slice(-ERR_TAIL_CHARS);
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  return { url, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(t);
}

async function postBatch(url: string, body: string): Promise<{ ms: number; accepted: number }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body });
  const json = (await res.json()) as { accepted?: number; message?: string };
  const ms = performance.now() - t0;
  if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${json.message}`);
  return { ms, accepted: json.accepted ?? 0 };
}

async function metric(url: string, name: string): Promise<number> {
  const res = await fetch(`${url}/metrics`);
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(await res.text());
  return m ? Number(m[1]) : 0;
}

/** Resolves when the daemon's pipeline has read `n` events (processed, late or held). */
async function pipelineRead(url: string, n: number): Promise<void> {
  const deadline = Date.now() + E2E_TIMEOUT_MS;
  for (;;) {
    const [p, l, h] = await Promise.all(['vigil_pipeline_events_processed_total', 'vigil_pipeline_late_events_total', 'vigil_pipeline_held_events'].map((m) => metric(url, m)));
    if (p + l + h >= n) return;
    if (Date.now() > deadline) throw new Error(`the pipeline read ${p + l + h} of ${n} events in ${E2E_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, E2E_POLL_MS));
  }
}

async function putAccounts(url: string): Promise<void> {
  for (const a of scenario?.accounts ?? []) {
    const { accountId, ...rest } = a;
    const res = await fetch(`${url}/v1/accounts/${encodeURIComponent(accountId)}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(rest) });
    if (res.status >= 300) throw new Error(`PUT account answered ${res.status}`);
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere or once it is gone. */
function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** The FerretDB serving `port`: the process whose command line listens there (this bench started it). */
function ferretDbPid(port: number): number | undefined {
  const listen = `--listen-addr=127.0.0.1:${port}`;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(listen)) return Number(name);
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

/** Documents and stored bytes per collection at the end of the run: what each write to it has to scan on FerretDB. */
async function printCollections(uri: string): Promise<void> {
  const client = new MongoClient(uri);
  try {
    const db = client.db(DATABASE);
    const rows: string[] = [];
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      const stats = await db.command({ collStats: name });
      rows.push(`${name} ${stats.count} (${(Number(stats.size) / 2 ** 20).toFixed(1)} MiB)`);
    }
    console.log(`${''.padEnd(15)} collections at the end: ${rows.sort().join(', ')}`);
  } finally {
    await client.close();
  }
}

function printOpLog(rows: ReturnType<typeof summarizeOpLog>): void {
  const total = rows.reduce((t, r) => t + r.ms, 0);
  console.log(`${''.padEnd(15)} database commands over the timed part (driver log; ms summed per command, overlapping ones each counted):`);
  console.log(`${''.padEnd(17)}${'collection'.padEnd(16)}${'kind'.padEnd(28)}${'ops'.padStart(7)}${'stmts'.padStart(8)}${'ms'.padStart(9)}${'ms/op'.padStart(8)}`);
  for (const r of rows) {
    console.log(`${''.padEnd(17)}${r.collection.padEnd(16)}${r.kind.padEnd(28)}${String(r.ops).padStart(7)}${String(r.statements).padStart(8)}${String(Math.round(r.ms)).padStart(9)}${(r.ms / r.ops).toFixed(1).padStart(8)}`);
  }
  console.log(`${''.padEnd(17)}${'all'.padEnd(44)}${String(rows.reduce((t, r) => t + r.ops, 0)).padStart(7)}${''.padStart(8)}${String(Math.round(total)).padStart(9)}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(target: string, storeName: string, env: Record<string, string>, dbPid: number | undefined): Promise<void> {
  const opLogDir = args['op-log'] && storeName === 'ferretdb' ? mkdtempSync(join(tmpdir(), 'vigil-op-log-')) : null;
  const opLog = opLogDir ? join(opLogDir, 'daemon-stdout.log') : undefined;
  const { url, child } = await startServer(target, opLog ? { ...env, ...OP_LOG_ENV } : env, opLog);
  try {
    await putAccounts(url);
    // warm-up events sit a year before the measured ones: they are read, not mixed into the run's windows
    const warm = makeEvents(WARMUP_BATCHES * BATCH, `warm-${target}-${storeName}`);
    for (let i = 0; i < warm.length; i += BATCH) await postBatch(url, `[${warm.slice(i, i + BATCH).join(',')}]`);
    if (target === 'daemon') await pipelineRead(url, warm.length);
    const lines = makeEvents(TOTAL, `ev-${target}-${storeName}`);
    const bodies: string[] = [];
    for (let i = 0; i < lines.length; i += BATCH) bodies.push(`[${lines.slice(i, i + BATCH).join(',')}]`);
    const latencies: number[] = [];
    let accepted = 0;
    let next = 0;
    const cpu0 = { server: cpuSeconds(child.pid), db: cpuSeconds(dbPid) };
    const opLogFrom = opLog ? statSync(opLog).size : 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const r = await postBatch(url, bodies[next++]!);
          latencies.push(r.ms);
          accepted += r.accepted;
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    let e2eSecs: number | null = null;
    if (target === 'daemon') {
      await pipelineRead(url, warm.length + accepted);
      e2eSecs = (performance.now() - t0) / 1000;
    }
    const cpuUsed = (before: number | null, after: number | null) => (before === null || after === null ? null : Number((after - before).toFixed(2)));
    const serverCpuSecs = cpuUsed(cpu0.server, cpuSeconds(child.pid));
    const dbCpuSecs = cpuUsed(cpu0.db, cpuSeconds(dbPid));
    latencies.sort((a, b) => a - b);
    const row = {
      target,
      store: storeName,
      events: TOTAL,
      accepted,
      batch: BATCH,
      concurrency: CONCURRENCY,
      eventsPerSec: Math.round(accepted / secs),
      p50ms: Number(percentile(latencies, 50).toFixed(1)),
      p99ms: Number(percentile(latencies, 99).toFixed(1)),
      seconds: Number(secs.toFixed(2)),
      ...(e2eSecs !== null ? { endToEndEventsPerSec: Math.round(accepted / e2eSecs), endToEndSeconds: Number(e2eSecs.toFixed(2)) } : {}),
      ...(scenario ? { scenarioAccounts: SCENARIO_ACCOUNTS } : {}),
      serverCpuSecs,
      dbCpuSecs,
      loadAvgAtEnd: loadavg().map((l) => Number(l.toFixed(1))),
    };
    console.log(
      `${target.padEnd(6)} ${storeName.padEnd(8)} ${String(row.eventsPerSec).padStart(7)} events/s   p50 ${row.p50ms} ms   p99 ${row.p99ms} ms   (${accepted}/${TOTAL} accepted, batch ${BATCH}, ${CONCURRENCY} in flight, ${row.seconds} s)`,
    );
    if (e2eSecs !== null) console.log(`${''.padEnd(15)} ${String(row.endToEndEventsPerSec).padStart(7)} events/s end to end (first POST to the pipeline having read the last event, ${row.endToEndSeconds} s)`);
    console.log(`${''.padEnd(15)} CPU s over the timed part: ${target} ${serverCpuSecs ?? '?'}${dbPid !== undefined ? `, FerretDB ${dbCpuSecs ?? '?'}` : ''}; load average at end ${row.loadAvgAtEnd.join(' ')}`);
    console.log(JSON.stringify(row));
    if (opLog) printOpLog(summarizeOpLog(opLog, opLogFrom));
    if (env.MONGODB_URI) await printCollections(env.MONGODB_URI);
    if (accepted !== TOTAL) throw new Error(`only ${accepted} of ${TOTAL} events were accepted`);
  } finally {
    await stopServer(child);
    if (opLogDir) rmSync(opLogDir, { recursive: true, force: true });
  }
}

const targets = args.target === 'both' ? ['intake', 'daemon'] : [args.target!];
const stores = args.store === 'both' ? ['memory', 'ferretdb'] : [args.store!];
console.log(`ingest bench: ${TOTAL} events${scenario ? ` (scenario: ${SCENARIO_ACCOUNTS} accounts x 35 days)` : ''} in batches of ${BATCH} over loopback HTTP, ${CONCURRENCY} batches in flight`);
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average at start ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const storeName of stores) {
  for (const target of targets) {
    let db: FerretDbInstance | null = null;
    try {
      const env: Record<string, string> = { MONGODB_URI: '' };
      let dbPort: number | undefined;
      if (storeName === 'ferretdb' && args['db-uri']) {
        env.MONGODB_URI = args['db-uri'];
        dbPort = Number(new URL(args['db-uri']).port);
      } else if (storeName === 'ferretdb') {
        db = await startFerretDb();
        env.MONGODB_URI = db.uri;
        dbPort = db.port;
      }
      await measure(target, storeName, env, dbPort !== undefined ? ferretDbPid(dbPort) : undefined);
    } finally {
      await db?.destroy();
    }
  }
}
