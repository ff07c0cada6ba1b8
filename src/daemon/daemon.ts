// The long-running worker: opens the store, serves the API and dashboard on every instance, and,
// on the instance holding the lease, runs the pipeline, the schedules and the alert sender.
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics, Counter, Gauge } from 'prom-client';
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/schema.js';
import type { Account, VigilEvent } from '../events/types.js';
import type { Store } from '../store/repository.js';
import { openStore } from '../store/open-store.js';
import { EventLog } from '../events/event-log.js';
import { createLogger } from '../logging.js';
import { buildServer } from '../api/server.js';
import { registerQueryRoutes, type OutcomeBody } from '../api/query-routes.js';
import { registerDashboard } from '../api/dashboard.js';
import { openApiDocument } from '../api/openapi.js';
import { createSentimentAnalyzer } from '../engines/sentiment/model-file.js';
import type { SentimentAnalyzer } from '../engines/sentiment/analyzer.js';
import { applyOutcome } from '../engines/health/outreach.js';
import type { LearnerModel } from '../engines/health/learner.js';
import { Outbox } from '../alerts/outbox.js';
import { AlertSender } from '../alerts/sender.js';
import { Lease, SoleLease, type PipelineLease } from './lease.js';
import { MongoSource } from '../pipeline/sources/mongo-source.js';
import { Scheduler } from '../jobs/scheduler.js';
import { FindingsWriter, type OutreachDoc } from '../pipeline/findings-writer.js';
import type { Processor } from '../pipeline/processor.js';
import { createPipeline } from '../pipeline/create-pipeline.js';
import { registerJobs } from './jobs.js';
import { loadLearner } from './learner-store.js';
import { useTfBackend } from '../models/tf-backend.js';

export interface DaemonOptions {
  logger?: Logger;
  /** Where the console sink writes alerts when no Slack token is configured (default stdout). */
  alertsOut?: NodeJS.WritableStream;
  /** Slack Web API base URL (tests point it at a local server). */
  slackApiUrl?: string;
  clock?: () => number;
  /** Start the pipeline loop (default true); tests and the demo may drive it with drain(). */
  autoProcess?: boolean;
}

export interface DaemonHandle {
  url: string;
  config: VigilConfig;
  store: Store;
  app: FastifyInstance;
  /** Appends events to the log (as the HTTP intake does) and upserts accounts. */
  ingest(events: VigilEvent[], accounts?: Account[]): Promise<{ accepted: number; duplicates: number }>;
  /** Processes everything in the log and releases all held events (end of a replay). */
  drain(): Promise<void>;
  /** Delivers pending alerts now. */
  flushAlerts(): Promise<void>;
  isActive(): boolean;
  processor(): Processor | null;
  /** Runs a scheduled job now (tick, healthRefresh, outreachDigest, retrain, weeklyReview). */
  runJob(name: string): Promise<string>;
  stop(): Promise<void>;
}

const VERSION = '0.1.0';

export async function startDaemon(config: VigilConfig, opts: DaemonOptions = {}): Promise<DaemonHandle> {
  const logger = opts.logger ?? createLogger(config.log);
  const tfBackend = await useTfBackend(config.models.tfBackend, (backend, reason) => logger.info({ backend, reason }, 'tfjs backend passed over'));
  logger.info({ tfBackend }, 'tfjs backend for the health learner');
  const clock = opts.clock ?? Date.now;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const store = await openStore(config.store, logger);
  const eventLog = new EventLog(store);
  const analyzer: SentimentAnalyzer = createSentimentAnalyzer(config.sentiment);
  const accounts = new Map<string, Account>();
  for (const a of await store.collection<Account & { _id: string }>('accounts').find({})) accounts.set(a.accountId, a);
  const accountOf = (id: string) => accounts.get(id);
  const instanceId = config.ha.instanceId || `${hostname()}:${process.pid}`;

  const lateEvents = new Counter({ name: 'vigil_pipeline_late_events_total', help: 'Events that arrived after the watermark passed their time (counted, not applied to windows).', registers: [registry] });
  const processedEvents = new Counter({ name: 'vigil_pipeline_events_processed_total', help: 'Events released to the engines.', registers: [registry] });
  new Gauge({
    name: 'vigil_pipeline_held_events',
    help: 'Events read from the log and waiting for the watermark (with processed and late: everything the pipeline has read).',
    registers: [registry],
    collect() {
      this.set(processor?.stats().held ?? 0);
    },
  });
  const activeGauge = new Gauge({ name: 'vigil_active', help: '1 when this instance holds the lease and runs the pipeline.', registers: [registry] });

  const outbox = new Outbox(store, config.alerts, { logger, registry });
  let learner: LearnerModel | undefined;
  let processor: Processor | null = null;
  let writer: FindingsWriter | null = null;
  /** The pipeline loop; resolves false when it ended in a failed step (its processor's state is not to be checkpointed). */
  let loop: Promise<boolean> | null = null;
  let source: MongoSource | null = null;
  let running = true;
  let wake: (() => void) | null = null;

  const sender = new AlertSender(store, config.alerts, {
    logger,
    registry,
    clock,
    instanceId,
    out: opts.alertsOut,
    ...(opts.slackApiUrl ? { slackApiUrl: opts.slackApiUrl } : {}),
  });

  const recordOutcome = async (id: string, body: OutcomeBody): Promise<OutreachDoc | null> => {
    const coll = store.collection<OutreachDoc>('outreach');
    const entry = await coll.get(id);
    if (!entry) return null;
    const { entry: next, label } = applyOutcome(entry, { status: body.status, outcome: body.outcome }, clock());
    // outcomeRecordedAt lets a pipeline restored from an older checkpoint keep this operator's change
    const doc = { ...next, _id: id, outcomeRecordedAt: clock(), ...(body.note ? { note: body.note } : {}) } as OutreachDoc;
    await coll.put(doc);
    if (label) await store.collection<{ _id: string; createdAt: number }>('labels').put({ _id: `${id}:${clock()}`, ...label, createdAt: clock() });
    writer?.outreachChanged(doc);
    return doc;
  };

  const app = await buildServer({
    config,
    store,
    logger,
    registry,
    eventLog,
    onEventsAppended: () => wake?.(),
    onAccountUpserted: (a: Account) => accounts.set(a.accountId, a),
  });
  await registerQueryRoutes(app, {
    store,
    requireScope: (scope) => app.requireScope(scope),
    recordOutcome,
    pipelineStats: () => ({ active: lease.isActive(), instanceId, ...(processor ? processor.stats() : {}) }),
    overviewCacheMs: 2000,
    alerts: outbox,
    redactIps: config.alerts.redaction.ips,
  });
  app.get('/docs/openapi.json', async () => openApiDocument(VERSION));
  await registerDashboard(app, {});

  function buildProcessor(): Promise<Processor> {
    return createPipeline({
      store,
      eventLog,
      config,
      analyzer,
      accountOf,
      alerts: outbox,
      learner: () => learner,
      clock,
      hooks: { onLate: () => lateEvents.inc(), onProcessed: (n) => processedEvents.inc(n) },
      prepareOffThread: config.pipeline.prepareOffThread,
    });
  }

  async function activate(): Promise<void> {
    logger.info({ instanceId }, 'this instance is active: starting the pipeline');
    activeGauge.set(1);
    learner = await loadLearner(store, logger);
    processor = await buildProcessor();
    writer = processor.writer;
    if (opts.autoProcess !== false) loop = runLoop(processor);
    const src = config.sources.mongo;
    if (src.enabled) {
      const uri = src.uri || config.store.mongoUri;
      if (!uri) throw new Error('sources.mongo.enabled: needs sources.mongo.uri or a MongoDB store URI');
      source = new MongoSource({
        uri,
        database: src.database,
        collection: src.collection,
        pollMs: src.pollMs,
        batchSize: src.batchSize,
        settleMs: src.settleMs,
        mapping: src.mapping,
        kv: store.collection('kv'),
        append: async (events) => {
          const r = await eventLog.append(events, Date.now());
          wake?.();
          return r;
        },
        limits: { maxTextChars: config.server.maxTextChars },
        logger,
      });
      await source.start();
    }
    sender.start();
    scheduler.start();
  }

  async function deactivate(): Promise<void> {
    logger.warn({ instanceId }, 'this instance is standby: pipeline stopped');
    activeGauge.set(0);
    processor = null;
    wake?.();
    await loop;
    loop = null;
    await source?.stop();
    source = null;
    await sender.stop();
    await scheduler.stop();
  }

  async function runLoop(first: Processor): Promise<boolean> {
    let p = first;
    let backoff = config.pipeline.pollMs;
    let failed = false;
    while (running && processor === p) {
      try {
        if (failed) {
          // a failed step may have left its writes half done and its state moved on: start again
          // from the checkpoint, whose replay rewrites the same documents
          const fresh = await buildProcessor();
          if (!running || processor !== p) break;
          processor = fresh;
          writer = fresh.writer;
          p = fresh;
          failed = false;
        }
        const n = await p.step();
        backoff = config.pipeline.pollMs;
        if (n > 0) continue;
      } catch (err) {
        logger.error({ err }, 'pipeline step failed; restarting from the checkpoint');
        failed = true;
        backoff = Math.min(backoff * 2, 30_000);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, backoff);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
    return !failed;
  }

  const scheduler = new Scheduler({ timezone: config.schedules.timezone, logger, isActive: () => lease.isActive() });
  registerJobs(scheduler, config, {
    processor: () => processor,
    store,
    outbox,
    logger,
    clock,
    onLearner: (m) => {
      learner = m;
    },
    currentLearner: () => learner,
  });

  // the HA lease only where another daemon can share the database; the embedded store is this process's alone
  const lease: PipelineLease = store.durable
    ? new Lease(store, { name: 'pipeline', instanceId, leaseMs: config.ha.leaseMs, renewMs: config.ha.renewMs, clockSkewMs: config.ha.clockSkewMs, logger })
    : new SoleLease();
  let activation: Promise<void> = Promise.resolve();
  lease.start((active) => {
    activation = activation.then(() => (active ? activate() : deactivate())).catch((err) => logger.error({ err }, 'activation failed'));
  });
  await lease.tryAcquire();
  await activation;

  await app.listen({ host: config.server.host, port: config.server.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host}:${port}`;
  logger.info({ url, store: store.kind, durable: store.durable }, 'vigil is up');

  return {
    url,
    config,
    store,
    app,
    async ingest(events, accs = []) {
      for (const a of accs) {
        await store.collection<Account & { _id: string }>('accounts').put({ ...a, _id: a.accountId });
        accounts.set(a.accountId, a);
      }
      let accepted = 0;
      let duplicates = 0;
      for (let i = 0; i < events.length; i += config.server.maxBatchEvents) {
        const r = await eventLog.append(events.slice(i, i + config.server.maxBatchEvents), clock());
        accepted += r.accepted;
        duplicates += r.duplicates;
      }
      wake?.();
      return { accepted, duplicates };
    },
    async drain() {
      await activation;
      if (!processor) throw new Error('drain: this instance is not active');
      await processor.drain();
    },
    async flushAlerts() {
      await sender.runOnce();
    },
    isActive: () => lease.isActive(),
    processor: () => processor,
    runJob: (name) => scheduler.runNow(name),
    async stop() {
      running = false;
      await app.close();
      await activation;
      if (processor) {
        const p = processor;
        processor = null;
        wake?.();
        const healthy = (await loop) ?? true;
        if (healthy) await p.checkpoint().catch((err) => logger.error({ err }, 'final checkpoint failed'));
      }
      await lease.stop(true);
      await activation;
      await source?.stop();
      await sender.stop();
      await scheduler.stop();
      await store.close();
      // prom-client's default GC metric observes through a process-wide PerformanceObserver that
      // holds this registry for good; emptied, the registry no longer holds the gauges' closures,
      // and through them the pipeline (a stopped daemon's state was kept, ~37 MB per 500 accounts)
      registry.clear();
    },
  };
}
