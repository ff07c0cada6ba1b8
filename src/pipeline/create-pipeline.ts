// Assembles a processor over a store: engines, findings writer and the event-log reader. The
// daemon does this when it becomes active; tests and benchmarks do it to drive the pipeline.
import type { Account } from '../events/types.js';
import type { Store } from '../store/repository.js';
import type { VigilConfig } from '../config/schema.js';
import type { SentimentAnalyzer } from '../engines/sentiment/analyzer.js';
import type { LearnerModel } from '../engines/health/learner.js';
import type { EventLog } from '../events/event-log.js';
import { EngineSet } from './engine-set.js';
import { FindingsWriter, type AlertQueue } from './findings-writer.js';
import { Processor, type EventSource, type ProcessorHooks } from './processor.js';

export interface PipelineDeps {
  store: Store;
  eventLog: EventLog;
  config: VigilConfig;
  analyzer: SentimentAnalyzer;
  accountOf: (id: string) => Account | undefined;
  alerts: AlertQueue;
  learner?: () => LearnerModel | undefined;
  clock?: () => number;
  hooks?: ProcessorHooks;
  /**
   * Find errors and score messages of the events to come on a worker thread (default true), the
   * second core's share of the pipeline; false keeps everything on this thread. Same results.
   */
  prepareOffThread?: boolean;
}

export function eventSource(log: EventLog, gapWaitMs: number): EventSource {
  return {
    readBatch: (after, limit) => log.readBatch(after, limit, gapWaitMs),
    readSeqs: (seqs) => log.readSeqs(seqs),
    covered: (seq) => log.covered(seq),
  };
}

/** Builds a processor and restores it from the store's checkpoint. */
export async function createPipeline(d: PipelineDeps): Promise<Processor> {
  const engines = new EngineSet(d.config, d.analyzer, d.accountOf, undefined, { offThread: d.prepareOffThread ?? true });
  const writer = new FindingsWriter({
    store: d.store,
    config: d.config,
    engines,
    accountOf: d.accountOf,
    alerts: d.alerts,
    learner: d.learner ?? (() => undefined),
    publicUrl: d.config.server.publicUrl,
  });
  const processor = new Processor(d.store, eventSource(d.eventLog, d.config.pipeline.gapWaitMs), d.config, engines, writer, d.clock ?? Date.now, d.hooks ?? {});
  await processor.restore();
  return processor;
}
