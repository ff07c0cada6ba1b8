// Spike-incident quality on generated scenarios: for each seed, whether the scenario's shared outage
// opened an incident, how long after its onset, how many of its accounts it listed, and how many
// other incidents opened (chance openings: false alarms for engineering).
//
//   npm run build && node dist/bench/pipeline/spikes.js [--seeds 7,8,9,11,21] [--accounts 400] [--days 35]
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/load.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { EventLog } from '../../src/events/event-log.js';
import { createPipeline } from '../../src/pipeline/create-pipeline.js';
import { createSentimentAnalyzer } from '../../src/engines/sentiment/model-file.js';
import { generateScenario } from '../../src/scenario/generate.js';
import type { IncidentDoc } from '../../src/pipeline/findings-writer.js';

process.env.DOTENV_CONFIG_QUIET ??= 'true';
const { values: args } = parseArgs({ options: { seeds: { type: 'string', default: '7,8,9,11,21' }, accounts: { type: 'string', default: '400' }, days: { type: 'string', default: '35' } } });
const config = loadConfig({ env: {}, overrides: { log: { level: 'silent' } } });
const analyzer = createSentimentAnalyzer(config.sentiment);
const BATCH = 1000;

console.log('seed | outage opened | minutes after onset | outage accounts listed / in outage | other incidents');
for (const seed of args.seeds!.split(',').map(Number)) {
  const sc = generateScenario({ seed, accounts: Number(args.accounts), days: Number(args.days), startMs: Date.UTC(2026, 9, 1) });
  const store = createMemoryStore();
  await store.init();
  const log = new EventLog(store);
  const byId = new Map(sc.accounts.map((a) => [a.accountId, a]));
  const processor = await createPipeline({ store, eventLog: log, config, analyzer, accountOf: (id) => byId.get(id), alerts: { enqueue: async () => true } });
  for (let i = 0; i < sc.events.length; i += BATCH) await log.append(sc.events.slice(i, i + BATCH), 0);
  await processor.drain();
  const incidents = await store.collection<IncidentDoc>('incidents').find({});
  const outage = new Set(sc.truth.spike.accountIds);
  // the outage's incident: opened during the outage, most of its listed accounts in the outage
  const hits = incidents.filter((i) => i.openedAt >= sc.truth.spike.startMs && i.openedAt <= sc.truth.spike.endMs && i.affectedAccounts.filter((a) => outage.has(a.accountId)).length * 2 > i.affectedAccounts.length);
  const first = hits.sort((a, b) => a.openedAt - b.openedAt)[0];
  const listed = first ? first.affectedAccounts.filter((a) => outage.has(a.accountId)).length : 0;
  console.log(`${seed} | ${first ? 'yes' : 'NO'} | ${first ? Math.round((first.openedAt - sc.truth.spike.startMs) / 60_000) : '-'} | ${listed} / ${outage.size} | ${incidents.length - hits.length}`);
}
