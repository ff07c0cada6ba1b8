// Test harness: a pipeline over a store, fed a generated scenario, with the figures the tests
// compare between runs (health scores, incidents, cluster counts, escalation metrics, alerts).
import { loadConfig } from '../../src/config/load.js';
import type { VigilConfig } from '../../src/config/schema.js';
import type { Store } from '../../src/store/repository.js';
import { EventLog } from '../../src/events/event-log.js';
import { createPipeline } from '../../src/pipeline/create-pipeline.js';
import { Outbox } from '../../src/alerts/outbox.js';
import { createSentimentAnalyzer } from '../../src/engines/sentiment/model-file.js';
import type { Account, VigilEvent } from '../../src/events/types.js';
import type { Processor } from '../../src/pipeline/processor.js';

export function testConfig(overrides: Record<string, unknown> = {}): VigilConfig {
  return loadConfig({ env: {}, overrides: { log: { level: 'silent' }, ...overrides } });
}

const analyzer = createSentimentAnalyzer(testConfig().sentiment);

export async function pipelineOn(
  store: Store,
  config: VigilConfig,
  accounts: Account[],
  opts: { prepareOffThread?: boolean; clock?: () => number } = {},
): Promise<{ processor: Processor; log: EventLog; outbox: Outbox }> {
  const byId = new Map(accounts.map((a) => [a.accountId, a]));
  const log = new EventLog(store);
  const outbox = new Outbox(store, config.alerts);
  const processor = await createPipeline({ store, eventLog: log, config, analyzer, accountOf: (id) => byId.get(id), alerts: outbox, ...opts });
  return { processor, log, outbox };
}

export async function appendAll(log: EventLog, events: VigilEvent[], batch = 500, receivedAt = 0): Promise<void> {
  for (let i = 0; i < events.length; i += batch) await log.append(events.slice(i, i + batch), receivedAt);
}

export interface Figures {
  health: Record<string, { score: number; band: string }>;
  incidents: Array<{ id: string; status: string; accountsAffected: number; peakCount: number; timeline: number }>;
  clusters: Record<string, number>;
  escalation: unknown;
  alerts: string[];
  processed: number;
}

export async function figures(store: Store, processor: Processor): Promise<Figures> {
  const health = await store.collection<{ _id: string; score: number; band: string }>('health').find({});
  const incidents = await store.collection<{ _id: string; status: string; accountsAffected: number; peakCount: number; timeline: unknown[] }>('incidents').find({}, { sort: [['_id', 1]] });
  const clusters = await store.collection<{ _id: string; count: number }>('clusters').find({});
  const esc = await store.collection<{ _id: string; summary: unknown }>('kv').get('escalation');
  const alerts = await store.collection<{ _id: string }>('alerts').find({}, { sort: [['_id', 1]] });
  return {
    health: Object.fromEntries(health.map((h) => [h._id, { score: h.score, band: h.band }])),
    incidents: incidents.map((i) => ({ id: i._id, status: i.status, accountsAffected: i.accountsAffected, peakCount: i.peakCount, timeline: i.timeline.length })),
    clusters: Object.fromEntries(clusters.map((c) => [c._id, c.count])),
    escalation: esc?.summary,
    alerts: alerts.map((a) => a._id),
    processed: processor.stats().processed,
  };
}
