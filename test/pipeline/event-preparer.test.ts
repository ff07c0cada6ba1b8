import { describe, expect, it } from 'vitest';
import { generateScenario } from '../../src/scenario/generate.js';
import { createSentimentAnalyzer } from '../../src/engines/sentiment/model-file.js';
import type { StoredEvent } from '../../src/events/types.js';
import { EventPreparer } from '../../src/pipeline/event-preparer.js';
import { prepareEvent, NOTHING_PREPARED } from '../../src/pipeline/event-preparation.js';
import { testConfig } from './pipeline-harness.js';

const config = testConfig();
const analyzer = createSentimentAnalyzer(config.sentiment);
const scenario = generateScenario({ seed: 5, accounts: 40, days: 4, startMs: Date.UTC(2026, 9, 1) });
const events: StoredEvent[] = scenario.events.map((e, seq) => ({ ...e, seq, receivedAt: 0 }));
const local = (ev: StoredEvent) => prepareEvent(ev, config.errors, analyzer);

/** Waits (a bounded number of turns) until the worker answered every request of `p`. */
async function answered(p: EventPreparer): Promise<void> {
  for (let i = 0; i < 500 && p.waiting() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('event preparer', () => {
  it('finds errors and scores customer messages, and nothing for other events', () => {
    const prepared = events.map(local);
    expect(prepared.some((p) => p.errors.length > 0)).toBe(true);
    expect(prepared.some((p) => p.sentiment !== undefined && p.sentiment < 0)).toBe(true);
    const agentOnly = events.filter((e) => e.author === 'agent' && !e.error);
    expect(agentOnly.length).toBeGreaterThan(0);
    for (const e of agentOnly) expect(local(e)).toBe(NOTHING_PREPARED);
  });

  it('gives each event, on the worker thread, the very preparation worked out on this one', async () => {
    const p = new EventPreparer(config.errors, config.sentiment, analyzer, { offThread: true });
    expect(await p.ready()).toBe(true);
    p.submit(events);
    await answered(p);
    expect(p.waiting()).toBe(0);
    for (const ev of events) expect(p.take(ev)).toEqual(local(ev));
    expect(p.counts.worker).toBeGreaterThan(events.length / 4);
    expect(p.counts.here).toBe(0);
    p.close();
  });

  it('prepares here what the worker has not answered yet, the same way', async () => {
    const p = new EventPreparer(config.errors, config.sentiment, analyzer, { offThread: true });
    expect(await p.ready()).toBe(true);
    p.submit(events);
    // taken at once: the first requests are not answered yet, and the worker skips what is passed
    const first = events.slice(0, 50).map((ev) => p.take(ev));
    expect(first).toEqual(events.slice(0, 50).map(local));
    expect(p.counts.here).toBeGreaterThan(0);
    await answered(p);
    for (const ev of events.slice(50)) expect(p.take(ev)).toEqual(local(ev));
    expect(p.counts.worker).toBeGreaterThan(0);
    p.close();
  });

  it('stays on this thread when told to', async () => {
    const p = new EventPreparer(config.errors, config.sentiment, analyzer, { offThread: false });
    expect(await p.ready()).toBe(false);
    p.submit(events);
    for (const ev of events.slice(0, 200)) expect(p.take(ev)).toEqual(local(ev));
    expect(p.counts).toEqual({ worker: 0, here: 0 });
  });
});
