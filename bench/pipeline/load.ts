// Open-loop HTTP load for the health query: requests start on a fixed schedule (--rps), whatever
// the answers' speed, so slow answers show up as latency instead of a lower request rate.
//
// Latency is timed from the moment a request is sent. How late the generator itself sent it (its
// own scheduling lag: a late timer, or this process waiting for a CPU on a shared machine) is
// reported separately, with the latency counted from the scheduled time, so a slow daemon and a
// starved load generator can be told apart.
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { url: { type: 'string' }, ids: { type: 'string' }, rps: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '10' }, offset: { type: 'string', default: '0' } },
});
const base = new URL(args.url!);
const ids = JSON.parse(readFileSync(args.ids!, 'utf8')) as string[];
const rps = Number(args.rps);
const total = rps * Number(args.seconds);
/** Where in the id sequence to start (a warm-up run asks for other accounts than the measured one). */
const offset = Number(args.offset);
const intervalMs = 1000 / rps;
/**
 * Timers fire late by up to a millisecond or so, even on an idle machine: the generator wakes this
 * much before a request is due and waits out the rest on the event loop's next turns, so the
 * schedule is kept to a fraction of a millisecond rather than in bursts of whole timer periods.
 */
const TIMER_SLACK_MS = 1.5;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
/** Per request: time from sending to the end of the answer, and how late it was sent. */
const latencies = new Float64Array(total);
const lags = new Float64Array(total);
let done = 0;
let errors = 0;
/** Answers other than 200, by status code. */
const otherStatus = new Map<number, number>();
let finish: () => void = () => undefined;
const allDone = new Promise<void>((r) => (finish = r));

function settle(): void {
  if (++done === total) finish();
}

function one(i: number, due: number): void {
  const id = ids[((i + offset) * 7919) % ids.length]!;
  const t0 = performance.now();
  lags[i] = Math.max(0, t0 - due);
  const req = request({ host: base.hostname, port: base.port, path: `/v1/accounts/${encodeURIComponent(id)}/health`, agent }, (res) => {
    if (res.statusCode !== 200) otherStatus.set(res.statusCode ?? 0, (otherStatus.get(res.statusCode ?? 0) ?? 0) + 1);
    res.resume();
    res.on('end', () => {
      latencies[i] = performance.now() - t0;
      settle();
    });
  });
  req.on('error', () => {
    errors++;
    latencies[i] = NaN;
    settle();
  });
  req.end();
}

const load0 = loadavg()[0]!;
const start = performance.now();
let next = 0;
/** Sends every request that is due, then sleeps until shortly before the next one. */
function pump(): void {
  const now = performance.now();
  while (next < total && start + next * intervalMs <= now) {
    one(next, start + next * intervalMs);
    next++;
  }
  if (next >= total) return;
  const wait = start + next * intervalMs - performance.now();
  if (wait > TIMER_SLACK_MS) setTimeout(pump, wait - TIMER_SLACK_MS);
  else setImmediate(pump);
}
pump();
await allDone;
const elapsed = (performance.now() - start) / 1000;
const load1 = loadavg()[0]!;

function quantiles(values: Float64Array): (p: number) => string {
  const sorted = Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort();
  return (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN).toFixed(2);
}
const ok = latencies.filter((v) => !Number.isNaN(v));
const q = quantiles(latencies);
const lag = quantiles(lags);
const fromDue = quantiles(latencies.map((v, i) => v + lags[i]!));
const lateOver = (ms: number) => lags.filter((v) => v > ms).length;
console.log(`GET /v1/accounts/:id/health: ${ok.length} requests in ${elapsed.toFixed(1)} s (${Math.round(ok.length / elapsed)}/s offered ${rps}/s), p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms, non-200 ${[...otherStatus.values()].reduce((a, b) => a + b, 0)}${otherStatus.size ? ` (${[...otherStatus].map(([c, n]) => `${c}: ${n}`).join(', ')})` : ''}, errors ${errors}`);
console.log(`load generator lag (sent after the scheduled time): p50 ${lag(0.5)} ms, p99 ${lag(0.99)} ms, max ${lag(1)} ms; ${lateOver(1)} sent > 1 ms late, ${lateOver(10)} > 10 ms late`);
console.log(`latency from the scheduled time (lag included): p50 ${fromDue(0.5)} ms, p99 ${fromDue(0.99)} ms, max ${fromDue(1)} ms`);
console.log(`load average (1 min) at start ${load0.toFixed(2)}, at end ${load1.toFixed(2)}`);
agent.destroy();
