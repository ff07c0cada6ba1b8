// Open-loop HTTP load for the health query: requests start on a fixed schedule (--rps), whatever
// the answers' speed, so slow answers show up as latency instead of a lower request rate.
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { url: { type: 'string' }, ids: { type: 'string' }, rps: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '10' } },
});
const base = new URL(args.url!);
const ids = JSON.parse(readFileSync(args.ids!, 'utf8')) as string[];
const rps = Number(args.rps);
const total = rps * Number(args.seconds);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const latencies: number[] = [];
let errors = 0;
let statusNot200 = 0;

function one(i: number): Promise<void> {
  const id = ids[(i * 7919) % ids.length]!;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: base.hostname, port: base.port, path: `/v1/accounts/${encodeURIComponent(id)}/health`, agent }, (res) => {
      if (res.statusCode !== 200) statusNot200++;
      res.resume();
      res.on('end', () => {
        latencies.push(performance.now() - t0);
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end();
  });
}

const start = performance.now();
const pending: Promise<void>[] = [];
for (let i = 0; i < total; i++) {
  const due = start + (i * 1000) / rps;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  pending.push(one(i));
}
await Promise.all(pending);
const elapsed = (performance.now() - start) / 1000;
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2);
console.log(`GET /v1/accounts/:id/health: ${latencies.length} requests in ${elapsed.toFixed(1)} s (${Math.round(latencies.length / elapsed)}/s offered ${rps}/s), p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms, non-200 ${statusNot200}, errors ${errors}`);
agent.destroy();
