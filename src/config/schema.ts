// The one schema for Vigil's configuration: every key with its default and the reason for it.
// Sections owned by a module live beside it; this file composes them. config/default.yaml is
// generated from here (`npm run config:doc`) and a test keeps the two in step.
import { z } from 'zod';
import { errorsConfig } from '../engines/errors/config.js';
import { detectConfig, spikesConfig } from '../engines/detect/config.js';
import { sentimentConfig } from '../engines/sentiment/config.js';
import { healthConfig } from '../engines/health/config.js';
import { alertsConfig } from '../alerts/config.js';

export const serverConfig = z
  .strictObject({
    host: z.string().default('127.0.0.1').describe('Address the HTTP API listens on; loopback unless you mean to expose it.'),
    port: z.number().int().min(0).max(65535).default(8080).describe('HTTP port (0 picks a free one).'),
    bodyLimitBytes: z.number().int().min(1024).default(5 * 1024 * 1024).describe('Largest request body accepted; larger bodies get 413. 5 MiB holds a full batch of long tickets.'),
    maxBatchEvents: z.number().int().min(1).default(1000).describe('Most events in one POST /v1/events; more gets 413 naming the limit.'),
    maxTextChars: z.number().int().min(1).default(100_000).describe('Longest `text` or `error` accepted in an event; longer values are rejected with the field named.'),
    tokens: z
      .array(z.strictObject({ token: z.string().min(16), scopes: z.array(z.enum(['read', 'write'])).min(1) }))
      .default([])
      .describe('Bearer tokens and their scopes. Prefer VIGIL_API_TOKENS (token:scope+scope,...) over writing tokens in a file. Empty: the API is open (logged as a warning).'),
    publicUrl: z.string().default('').describe('Base URL people reach the API and dashboard at, used for links in Slack; empty uses http://host:port.'),
  })
  .prefault({});

export const storeConfig = z
  .strictObject({
    mongoUri: z.string().default('').describe('MongoDB connection string (env MONGODB_URI). Empty: the embedded in-process store, which keeps nothing across restarts.'),
    database: z.string().default('vigil').describe('Database name inside MongoDB.'),
    writeRetries: z.number().int().min(0).default(5).describe('Retries of a write that failed for a transient reason (network, primary step-down) before giving up.'),
    retryBaseMs: z.number().int().min(1).default(100).describe('First retry delay; doubles each retry, with jitter.'),
  })
  .prefault({});

export const pipelineConfig = z
  .strictObject({
    batchSize: z.number().int().min(1).default(2000).describe('Events read from the event log and processed per step; larger batches amortize store round trips.'),
    pollMs: z.number().int().min(10).default(200).describe('How often the processor looks for new events when idle.'),
    allowedLatenessMs: z.number().int().min(0).default(60_000).describe('How far behind the newest event time an event may arrive and still count in its window. Spike detection waits this long, so it trades lateness tolerance for alert speed: 1 min covers webhook retries and keeps an incident within 2 one-minute buckets of its onset.'),
    checkpointIntervalMs: z.number().int().min(100).default(5000).describe('Wall time between checkpoints of position and engine state while events flow. A checkpoint writes every account changed since the last one, which in a backfill is nearly all of them, so a time interval keeps its cost to a few per cent whatever the speed; a crash replays at most this much work (stream processors checkpoint every few seconds to minutes for the same reason).'),
    checkpointEvery: z.number().int().min(1).default(250_000).describe('Most events between two checkpoints, however fast they come: bounds the replay after a crash (about five seconds of embedded-store work) and the event log kept in memory until a checkpoint covers it.'),
    idleAdvanceMs: z.number().int().min(1000).default(60_000).describe('With no events for this long, event time is moved on by the wall clock so windows close and incidents resolve in quiet periods.'),
    gapWaitMs: z.number().int().min(0).default(2000).describe('How long the reader waits for a sequence gap (an intake write still in flight) before moving past it.'),
    evaluationPeriodMs: z
      .number()
      .int()
      .min(1000)
      .refine((ms) => 86_400_000 % ms === 0, 'must divide a day, so that day ends are evaluation points too')
      .default(5 * 60_000)
      .describe('Event time between health evaluation points: an account active in a period is scored once, at its end (fixed points, so a replay after a crash scores the same). 5 min keeps health, band alerts and outreach within minutes of the events while scoring a busy account once per burst rather than per message.'),
    liveCommitMs: z.number().int().min(10).default(1000).describe('How often what people read (health, history, outreach) is written while the pipeline keeps up; each write costs FerretDB a read of the collection, and the dashboard is a second behind at most.'),
    behindCommitMs: z.number().int().min(10).default(5000).describe('The same while the pipeline works through a backlog, and the period of the account pages\' recent messages: an account is rewritten every few seconds instead of every step.'),
    maxStepEvents: z.number().int().min(1).default(32_000).describe('Largest step while behind: the step doubles from batchSize while reads come back full, so a backlog takes fewer, larger store round trips.'),
    yieldEveryEvents: z.number().int().min(1).default(1000).describe('Events applied between two turns of the event loop (some tens of milliseconds of engine work), so intake and API requests are answered during a large step.'),
    prepareOffThread: z.boolean().default(true).describe('Work out the error extraction and sentiment of upcoming events on a worker thread (the second core) while the pipeline applies the ones before them; the results are the same either way (an event the worker has not reached is prepared on the pipeline thread, never waited for). false keeps the pipeline on one thread.'),
  })
  .prefault({});

export const sourcesConfig = z
  .strictObject({
    mongo: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Read ticket events from a collection of the support platform.'),
        uri: z.string().default('').describe('Connection string of the source database (empty: the store URI).'),
        database: z.string().default('support').describe('Source database name.'),
        collection: z.string().default('ticket_events').describe('Source collection name.'),
        pollMs: z.number().int().min(50).default(1000).describe('Polling interval when change streams are not available.'),
        batchSize: z.number().int().min(1).default(2000).describe('Source documents read per poll and appended to the event log as one batch; the size pipeline.batchSize already amortizes.'),
        settleMs: z.number().int().min(0).default(2000).describe('Source documents whose ObjectId is younger than this are read on a later poll, so an insert that commits after a newer one is not passed over; 0 reads at once.'),
        mapping: z
          .record(z.string(), z.string())
          .default({})
          .describe('Vigil field -> source field, for sources whose names differ (e.g. accountId: org_id).'),
      })
      .prefault({}),
  })
  .prefault({});

export const schedulesConfig = z
  .strictObject({
    timezone: z.string().default('UTC').describe('Time zone of the cron schedules (IANA name).'),
    tick: z.string().default('*/10 * * * * *').describe('Window tick: closes event-time windows even when no events arrive.'),
    healthRefresh: z.string().default('0 * * * *').describe('Hourly recomputation of every account health score.'),
    outreachDigest: z.string().default('0 9 * * 1-5').describe('Daily outreach digest to support, weekdays at 09:00.'),
    retrain: z.string().default('0 3 * * *').describe('Nightly retraining of the health learner.'),
    weeklyReview: z.string().default('0 8 * * 1').describe('Weekly escalation review report, Mondays 08:00.'),
  })
  .prefault({});

export const haConfig = z
  .strictObject({
    leaseMs: z.number().int().min(1000).default(15_000).describe('How long the active daemon holds the lease; a standby takes over this long after the active one dies.'),
    renewMs: z.number().int().min(200).default(5_000).describe('How often the active daemon renews its lease (well under leaseMs).'),
    instanceId: z.string().default('').describe('Name of this daemon in the lease (empty: host name and pid).'),
    clockSkewMs: z.number().int().min(0).default(1000).describe('Largest clock difference assumed between the daemons of an HA pair: the active one stands down this long before its lease could look lapsed to the other. Keep renewMs below leaseMs minus this.'),
  })
  .prefault({});

export const modelsConfig = z
  .strictObject({
    tfBackend: z
      .enum(['auto', 'tensorflow', 'wasm', 'cpu'])
      .default('auto')
      .describe('Backend of the @tensorflow/tfjs models (the health learner). auto: the native @tensorflow/tfjs-node when it is installed (an optional dependency: it downloads libtensorflow at install, so it is absent on machines without internet), else WebAssembly, else plain JavaScript. A named backend that cannot load stops start-up.'),
  })
  .prefault({});

export const logConfig = z
  .strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level of the JSON logs on stderr.'),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    server: serverConfig,
    store: storeConfig,
    pipeline: pipelineConfig,
    sources: sourcesConfig,
    errors: errorsConfig,
    detect: detectConfig,
    spikes: spikesConfig,
    sentiment: sentimentConfig,
    health: healthConfig,
    alerts: alertsConfig,
    schedules: schedulesConfig,
    ha: haConfig,
    models: modelsConfig,
    log: logConfig,
  })
  .strict();

export type VigilConfig = z.infer<typeof configSchema>;
