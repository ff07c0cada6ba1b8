import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { generateScenario } from '../../src/scenario/generate.js';
import type { VigilEvent } from '../../src/events/types.js';
import type { OutreachDoc } from '../../src/pipeline/findings-writer.js';
import type { Store } from '../../src/store/repository.js';
import { EventLog } from '../../src/events/event-log.js';
import { appendAll, figures, pipelineOn, testConfig } from './pipeline-harness.js';

const START = Date.UTC(2026, 9, 1);
const scenario = generateScenario({ seed: 3, accounts: 120, days: 21, startMs: START });

/** Moves events within `windowMs` of each other out of order, deterministically. */
function jumbleWithin(events: VigilEvent[], windowMs: number): VigilEvent[] {
  const out = [...events];
  for (let i = 0; i + 1 < out.length; i += 2) {
    if (out[i + 1]!.occurredAt - out[i]!.occurredAt < windowMs) [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
  }
  for (let i = 0; i + 3 < out.length; i += 7) {
    if (out[i + 3]!.occurredAt - out[i]!.occurredAt < windowMs) [out[i], out[i + 3]] = [out[i + 3]!, out[i]!];
  }
  return out;
}

async function cleanRun(events: VigilEvent[], overrides: Record<string, unknown> = {}, opts: { prepareOffThread?: boolean } = {}) {
  const store = createMemoryStore();
  await store.init();
  const config = testConfig(overrides);
  const { processor, log } = await pipelineOn(store, config, scenario.accounts, opts);
  await appendAll(log, events);
  // with a worker: up before the drain, so that it prepares most events
  if (opts.prepareOffThread) expect(await processor.engines.preparer.ready()).toBe(true);
  await processor.drain();
  return { store, processor, figures: await figures(store, processor) };
}

describe('pipeline processor', () => {
  it('processes a scenario: the shared error spike opens an incident across its accounts', async () => {
    const { figures: f } = await cleanRun(scenario.events);
    expect(f.processed).toBe(scenario.events.length);
    expect(Object.keys(f.health).length).toBeGreaterThan(50);
    const spike = f.incidents.filter((i) => i.accountsAffected >= 3);
    expect(spike.length).toBeGreaterThanOrEqual(1);
    expect(f.alerts.filter((a) => a.includes(':opened:')).length).toBe(f.incidents.length);
  });

  it('gives the same findings and scores with events prepared on a worker thread as on the pipeline\'s own', async () => {
    const here = await cleanRun(scenario.events, {}, { prepareOffThread: false });
    const there = await cleanRun(scenario.events, {}, { prepareOffThread: true });
    expect(here.processor.engines.preparer.counts).toEqual({ worker: 0, here: 0 });
    expect(there.processor.engines.preparer.counts.worker).toBeGreaterThan(0);
    expect(there.figures).toEqual(here.figures);
    const states = async (store: Store) => (await store.collection('accountStates').find({}, { sort: [['_id', 1]] })).map((d) => JSON.stringify(d));
    expect(await states(there.store)).toEqual(await states(here.store));
    expect(there.processor.engines.snapshot()).toEqual(here.processor.engines.snapshot());
  });

  it('gives the same incidents and scores when events arrive in a different order within the lateness', async () => {
    const a = await cleanRun(scenario.events);
    const jumbled = jumbleWithin(scenario.events, 30_000);
    expect(jumbled.map((e) => e.id)).not.toEqual(scenario.events.map((e) => e.id));
    const b = await cleanRun(jumbled);
    expect(b.figures.incidents).toEqual(a.figures.incidents);
    expect(b.figures.health).toEqual(a.figures.health);
    expect(b.figures.clusters).toEqual(a.figures.clusters);
    expect(b.figures.alerts).toEqual(a.figures.alerts);
  });

  it('gives the same scores, alerts and outreach however the log is cut into steps', async () => {
    // small steps, and a turn of the event loop every 7 events, periods or scored accounts (a day's end scored in parts)
    const small = await cleanRun(scenario.events, { pipeline: { batchSize: 150, checkpointEvery: 400, yieldEveryEvents: 7 } });
    const large = await cleanRun(scenario.events, { pipeline: { batchSize: 5000 } });
    expect(Object.keys(large.figures.health).length).toBeGreaterThan(50);
    expect(small.figures.health).toEqual(large.figures.health);
    expect(small.figures.alerts.filter((a) => a.startsWith('account:')).length).toBeGreaterThan(0);
    expect(small.figures.alerts).toEqual(large.figures.alerts);
    const outreach = async (store: typeof small.store) => (await store.collection<{ _id: string; score: number; status: string }>('outreach').find({}, { sort: [['_id', 1]] })).map((o) => `${o._id}:${o.status}:${o.score}`);
    expect(await outreach(small.store)).toEqual(await outreach(large.store));
  });

  it('keeps an outcome an operator recorded after the checkpoint it restarts from', async () => {
    const store = createMemoryStore();
    await store.init();
    const config = testConfig({ pipeline: { checkpointEvery: 1_000_000 } });
    const first = await pipelineOn(store, config, scenario.accounts);
    await appendAll(first.log, scenario.events);
    await first.processor.drain();
    const outreach = store.collection<OutreachDoc>('outreach');
    const entry = (await outreach.find({}, { sort: [['_id', 1]] }))[0]!;
    expect(entry.status).toBe('new');
    // recorded through the API (as the daemon does): a wall-clock stamp, after the last checkpoint
    const resolved: OutreachDoc = { ...entry, status: 'resolved', outcome: 'saved', outcomeRecordedAt: 123 };
    await outreach.put(resolved);
    const restarted = await pipelineOn(store, config, scenario.accounts);
    expect(restarted.processor.writer.memoryOf(entry.accountId).outreach).toMatchObject({ status: 'resolved', outcome: 'saved' });
    // an entry nobody touched comes from the checkpoint
    const other = (await outreach.find({}, { sort: [['_id', 1]] }))[1]!;
    expect(restarted.processor.writer.memoryOf(other.accountId).outreach?.status).toBe(other.status);
  });

  it('checkpoints when checkpointIntervalMs of wall time has passed, or checkpointEvery events, whichever comes first', async () => {
    const store = createMemoryStore();
    await store.init();
    let now = 1_000_000;
    const config = testConfig({ pipeline: { batchSize: 500, maxStepEvents: 500, checkpointEvery: 1800, checkpointIntervalMs: 10_000 } });
    const { processor, log } = await pipelineOn(store, config, scenario.accounts, { clock: () => now });
    await appendAll(log, scenario.events.slice(0, 4000));
    const checkpointed = () => processor.stats().checkpoints;
    // the clock stands still: only the event count triggers one (four steps of 500 pass 1800)
    for (let i = 0; i < 3; i++) await processor.step();
    expect(checkpointed()).toBe(0);
    await processor.step();
    expect(checkpointed()).toBe(1);
    // the interval passes: the next step checkpoints although far fewer than 1800 events came
    await processor.step();
    expect(checkpointed()).toBe(1);
    now += 10_000;
    await processor.step();
    expect(checkpointed()).toBe(2);
    // and what it wrote names the events processed so far
    await processor.checkpoint();
    const doc = await store.collection<{ _id: string; processed: number }>('kv').get('checkpoint:pipeline');
    expect(doc?.processed).toBe(processor.stats().processed);
  });

  it('counts events later than the watermark instead of dropping them silently', async () => {
    const store = createMemoryStore();
    await store.init();
    const config = testConfig();
    const { processor, log } = await pipelineOn(store, config, scenario.accounts);
    const head = scenario.events.slice(0, 2000);
    await appendAll(log, head);
    while ((await processor.step()) > 0);
    const late: VigilEvent = { ...head[10]!, id: 'late-one' };
    await log.append([late], 0);
    while ((await processor.step()) > 0);
    expect(processor.stats().late).toBe(1);
  });

  it('lets the embedded log drop the events a checkpoint covers, and still refuses their resend', async () => {
    const { store, processor, figures: f } = await cleanRun(scenario.events, { pipeline: { checkpointEvery: 3000 } });
    const segments = await store.collection<{ _id: string; events?: string; covered?: boolean }>('eventSegments').find({});
    const covered = segments.filter((s) => s.covered);
    // the drain ends with a checkpoint of everything read, and nothing is held after it
    expect(covered.length).toBe(segments.length);
    expect(covered.every((s) => s.events === '[]')).toBe(true);
    const log = new EventLog(store);
    const resend = await log.append(scenario.events.slice(0, 50), 0);
    expect(resend).toMatchObject({ accepted: 0, duplicates: 50 });
    await processor.drain();
    expect((await figures(store, processor)).processed).toBe(f.processed);
  });

  it('restores from checkpoints written for a durable store (compressed) as from the embedded one', async () => {
    const durable = async (): Promise<Store> => {
      const inner = createMemoryStore();
      await inner.init();
      // the same store, saying it keeps its data: the pipeline then writes what it writes to MongoDB
      return Object.create(inner, { durable: { value: true } }) as Store;
    };
    const config = testConfig({ pipeline: { checkpointEvery: 700, batchSize: 300 } });
    const clean = await cleanRun(scenario.events, { pipeline: { checkpointEvery: 700, batchSize: 300 } });
    const store = await durable();
    const { log } = await pipelineOn(store, config, scenario.accounts);
    await appendAll(log, scenario.events);
    for (const steps of [9, 17]) {
      const { processor } = await pipelineOn(store, config, scenario.accounts);
      for (let i = 0; i < steps; i++) await processor.step();
    }
    const state = await store.collection<{ _id: string; z?: string; j?: string }>('pipelineState').find({});
    expect(state.length).toBeGreaterThan(0);
    expect(state.every((d) => d.z !== undefined && d.j === undefined)).toBe(true);
    const { processor } = await pipelineOn(store, config, scenario.accounts);
    await processor.drain();
    const after = await figures(store, processor);
    expect(after.health).toEqual(clean.figures.health);
    expect(after.incidents).toEqual(clean.figures.incidents);
    expect(after.alerts).toEqual(clean.figures.alerts);
    // a durable log keeps every event
    const segments = await store.collection<{ _id: string; covered?: boolean }>('eventSegments').find({});
    expect(segments.some((s) => s.covered)).toBe(false);
  });

  it('replays from the checkpoint after a crash without changing any count', async () => {
    const clean = await cleanRun(scenario.events, { pipeline: { checkpointEvery: 700, batchSize: 300 } });
    const store = createMemoryStore();
    await store.init();
    const config = testConfig({ pipeline: { checkpointEvery: 700, batchSize: 300 } });
    {
      const { log } = await pipelineOn(store, config, scenario.accounts);
      await appendAll(log, scenario.events);
    }
    // crash three times at different points: drop the processor without a final checkpoint
    for (const steps of [9, 17, 31]) {
      const { processor } = await pipelineOn(store, config, scenario.accounts);
      for (let i = 0; i < steps; i++) await processor.step();
    }
    const { processor } = await pipelineOn(store, config, scenario.accounts);
    await processor.drain();
    const after = await figures(store, processor);
    expect(after.incidents).toEqual(clean.figures.incidents);
    expect(after.health).toEqual(clean.figures.health);
    expect(after.clusters).toEqual(clean.figures.clusters);
    expect(after.escalation).toEqual(clean.figures.escalation);
    expect(after.alerts).toEqual(clean.figures.alerts);
  });

  it('checkpoints each account record as the JSON of its record and memory, recent lists reused or not', async () => {
    const store = createMemoryStore();
    await store.init();
    const config = testConfig({ pipeline: { checkpointEvery: 900, batchSize: 300 } });
    const { processor, log } = await pipelineOn(store, config, scenario.accounts);
    await appendAll(log, scenario.events.slice(0, 6000));
    let checked = 0;
    for (let step = 0; step < 30; step++) {
      await processor.step();
      await processor.checkpoint();
      const cp = await store.collection<{ _id: string; bucketGens: number[] }>('kv').get('checkpoint:pipeline');
      const ids = cp!.bucketGens.flatMap((g, b) => (g >= 0 ? [`acct:${b}:${g}`] : []));
      const docs = await store.collection<{ _id: string; j: string }>('pipelineState').getMany(ids);
      for (const doc of docs) {
        for (const a of JSON.parse(doc.j) as Array<{ id: string }>) {
          const rec = processor.engines.records.get(a.id)!;
          const stored = processor.engines.storable(rec);
          // what a plain JSON.stringify of the record gives, field order included
          const expected = JSON.stringify({ id: a.id, state: rec.state, appliedAt: rec.appliedAt, appliedId: rec.appliedId, recentErrors: rec.recentErrors, recentTickets: stored.recentTickets, memory: processor.writer.memoryOf(a.id) });
          expect(JSON.stringify(a)).toBe(expected);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
});
