// Ingest benchmark: POSTs batches of events over loopback HTTP to a Vigil process and prints
// events/s and p50/p99 batch latency, into the embedded store and into FerretDB. Bounded run.
//
//   npm run build && node dist/bench/ingest/run.js [--events 50000] [--batch 500] [--concurrency 2]
//       [--target intake|daemon|both] [--store memory|ferretdb|both]
//
// target `intake`: the HTTP intake path alone (bench/ingest/intake-server.ts: server, validation,
// event log). target `daemon`: the real `vigil start` (node dist/src/cli/main.js start), whose
// pipeline processes the events while they arrive, on the same two cores.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startFerretDb, type FerretDbInstance } from '../../test/support/ferretdb.js';
import { mulberry32 } from '../../src/engines/mulberry32.js';

const here = dirname(fileURLToPath(import.meta.url));
const distRoot = join(here, '..', '..');
const CLI = join(distRoot, 'src', 'cli', 'main.js');
const INTAKE = join(here, 'intake-server.js');
const TOKEN = 'bench-ingest-token-0123456789';
/** Batches sent before timing starts: connection setup, JIT and store warm-up. */
const WARMUP_BATCHES = 10;
/** Longest a server may take to start listening. */
const START_TIMEOUT_MS = 60_000;

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    batch: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '2' },
    target: { type: 'string', default: 'both' },
    store: { type: 'string', default: 'both' },
  },
});
const TOTAL = Number(args.events);
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
  const rand = rng(42);
  const start = Date.UTC(2026, 9, 1);
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

async function startServer(target: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const argv = target === 'daemon' ? [CLI, 'start', '--port', '0'] : [INTAKE];
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, DOTENV_CONFIG_QUIET: 'true', VIGIL_API_TOKENS: `${TOKEN}:read+write`, VIGIL_LOG__LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${START_TIMEOUT_MS} ms: ${err}`)), START_TIMEOUT_MS);
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
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

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(target: string, storeName: string, env: Record<string, string>): Promise<void> {
  const { url, child } = await startServer(target, env);
  try {
    const warm = makeEvents(WARMUP_BATCHES * BATCH, `warm-${target}-${storeName}`);
    for (let i = 0; i < warm.length; i += BATCH) await postBatch(url, `[${warm.slice(i, i + BATCH).join(',')}]`);
    const lines = makeEvents(TOTAL, `ev-${target}-${storeName}`);
    const bodies: string[] = [];
    for (let i = 0; i < lines.length; i += BATCH) bodies.push(`[${lines.slice(i, i + BATCH).join(',')}]`);
    const latencies: number[] = [];
    let accepted = 0;
    let next = 0;
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
    };
    console.log(
      `${target.padEnd(6)} ${storeName.padEnd(8)} ${String(row.eventsPerSec).padStart(7)} events/s   p50 ${row.p50ms} ms   p99 ${row.p99ms} ms   (${accepted}/${TOTAL} accepted, batch ${BATCH}, ${CONCURRENCY} in flight, ${row.seconds} s)`,
    );
    console.log(JSON.stringify(row));
    if (accepted !== TOTAL) throw new Error(`only ${accepted} of ${TOTAL} events were accepted`);
  } finally {
    await stopServer(child);
  }
}

const targets = args.target === 'both' ? ['intake', 'daemon'] : [args.target!];
const stores = args.store === 'both' ? ['memory', 'ferretdb'] : [args.store!];
console.log(`ingest bench: ${TOTAL} events in batches of ${BATCH} over loopback HTTP, ${CONCURRENCY} batches in flight`);
for (const storeName of stores) {
  for (const target of targets) {
    let db: FerretDbInstance | null = null;
    try {
      const env: Record<string, string> = { MONGODB_URI: '' };
      if (storeName === 'ferretdb') {
        db = await startFerretDb();
        env.MONGODB_URI = db.uri;
      }
      await measure(target, storeName, env);
    } finally {
      await db?.destroy();
    }
  }
}
