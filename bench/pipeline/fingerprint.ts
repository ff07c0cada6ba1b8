// Equality check for pipeline speed work: replays one generated scenario through the embedded
// store and prints a digest of every output collection (incidents, health, history, alerts, outreach)
// and of the engines' state after the drain (spike tracker, error clusters, escalation metrics).
//
//   npx tsc -p tsconfig.json && node dist/bench/pipeline/fingerprint.js [--accounts 400] [--days 35] [--out file.json] [--override JSON]
//
// Two builds that print the same digests produced the same findings and scores; --out keeps the
// documents themselves for a diff. Wall-clock fields (savedAt and the like) are left out.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CollectionName } from '../../src/store/repository.js';
import { timedDrain } from './timed-drain.js';

process.env.DOTENV_CONFIG_QUIET ??= 'true';
const { values: args } = parseArgs({
  options: {
    accounts: { type: 'string', default: '400' },
    days: { type: 'string', default: '35' },
    out: { type: 'string' },
    /** Config overrides as JSON (e.g. '{"spikes":{"maxCatchUpBuckets":120}}'), to see what a setting changes. */
    override: { type: 'string' },
  },
});
const OUTPUTS: CollectionName[] = ['incidents', 'health', 'healthHistory', 'alerts', 'outreach', 'clusters', 'accountStates'];
// Fields that hold wall-clock time, which differs between any two runs.
const WALL_FIELDS = new Set(['savedAt', 'createdAt', 'enqueuedAt', 'updatedAt', 'nextAttemptAt', 'sentAt', 'claimedAt', 'claimUntil']);

// Keys in sorted order: field order inside a document (e.g. which day of a history month was written
// first) may follow how writes were grouped in wall time, which is not an outcome.
function sortedKeys(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

const { daemon: d, scenario: sc, secs, cpuSecs } = await timedDrain({
  seed: 42,
  accounts: Number(args.accounts),
  days: Number(args.days),
  ...(args.override ? { overrides: JSON.parse(args.override) as object } : {}),
});
const dump: Record<string, unknown[]> = {};
for (const name of OUTPUTS) {
  const docs = await d.store.collection(name).find({}, { sort: [['_id', 1]] });
  dump[name] = docs.map((doc) => JSON.parse(JSON.stringify(doc, (k, v) => (WALL_FIELDS.has(k) ? undefined : sortedKeys(v)))));
}
// Engine state in a form independent of how checkpoints lay it out: a speed change that keeps the
// outputs but drifts the state would show here before it shows in a later finding.
const engines = d.processor()!.engines;
const state: Record<string, unknown> = {
  spikes: engines.spikes.snapshot(),
  miner: engines.miner.snapshot(),
  clusterStats: Object.fromEntries(engines.clusters),
  escalation: engines.escalation.summary(Number.MAX_SAFE_INTEGER),
};
// The alert documents also carry their delivery (status, claims, threading, coalescing), which the
// daemon's sender decides in wall time while the drain runs: the same alerts, told apart only by
// when the sender got to them, differ there. What the pipeline enqueued is compared on its own.
const ALERT_CONTENT = ['_id', 'kind', 'band', 'severity', 'tier', 'threadKey', 'groupKey', 'payload'];
dump.alertsEnqueued = dump.alerts!.map((a) => Object.fromEntries(ALERT_CONTENT.map((k) => [k, (a as Record<string, unknown>)[k] ?? null])));
const stats = d.processor()!.stats();
console.log(`events ${sc.events.length} in ${secs.toFixed(2)} s = ${Math.round(sc.events.length / secs)} events/s (CPU ${cpuSecs.toFixed(2)} s = ${Math.round(sc.events.length / cpuSecs)} events per CPU second, a figure less sensitive to machine load); processed ${stats.processed}, clusters ${stats.clusters}, open incidents ${stats.openIncidents}`);
for (const name of [...OUTPUTS, 'alertsEnqueued']) console.log(`${name.padEnd(14)} ${String(dump[name]!.length).padStart(7)} docs  ${createHash('sha256').update(JSON.stringify(dump[name])).digest('hex').slice(0, 16)}${name === 'alerts' ? '  (delivery state included: varies with wall time)' : ''}`);
for (const [name, value] of Object.entries(state)) console.log(`${('engine ' + name).padEnd(20)} ${createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16)}`);
if (args.out) writeFileSync(args.out, JSON.stringify({ ...dump, engineState: state }));
await d.stop();
