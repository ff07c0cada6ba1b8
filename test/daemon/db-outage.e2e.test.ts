// The database goes away for a minute while a client keeps posting: intake answers 503 with
// Retry-After (nothing acknowledged that was not stored), the daemon reconnects by itself once the
// database is back, catches up, and every event is processed exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario } from '../../src/scenario/generate.js';
import { freePort, startFerretDb, type FerretDbInstance } from '../support/ferretdb.js';
import { mongoUriOrSkip } from '../support/mongo.js';
import { spawnDaemon, type DaemonProcess } from './support/daemon-process.js';
import { postAll, type BatchOutcome } from './support/intake-client.js';
import { waitForPipeline } from './support/pipeline-progress.js';
import { cleanRun, finishAndRead, type VigilEnv } from './support/clean-run.js';
import type { RunOutcome } from './support/outcome.js';

const available = mongoUriOrSkip() !== null;
const TOKEN = 'outage-e2e-token-0123456789';
/** The outage the issue names: the database stopped for 60 s. */
const OUTAGE_MS = 60_000;
const BATCH = 250;
/** Pace of the client, so that it is still posting when the database stops and during the outage. */
const PAUSE_BETWEEN_BATCHES_MS = 150;

describe.skipIf(!available)('database stopped for 60 s under intake', () => {
  const scenario = generateScenario({ seed: 31, accounts: 60, days: 14, startMs: Date.UTC(2026, 7, 3) });
  const events = scenario.events;
  let db: FerretDbInstance;
  let daemon: DaemonProcess | null = null;
  let env: VigilEnv = {};
  let outcomes: BatchOutcome[] = [];
  let stoppedAt = 0;
  let restartedAt = 0;
  let outcome: RunOutcome;
  let clean: RunOutcome;
  let daemonAliveThroughout = false;

  beforeAll(async () => {
    db = await startFerretDb();
    const port = await freePort();
    env = {
      MONGODB_URI: db.uri,
      VIGIL_STORE__DATABASE: 'outage_e2e',
      VIGIL_API_TOKENS: `${TOKEN}:read+write`,
      VIGIL_SERVER__PORT: String(port),
      VIGIL_HA__INSTANCE_ID: 'outage-e2e',
      VIGIL_HA__LEASE_MS: '3000',
      VIGIL_HA__RENEW_MS: '800',
      VIGIL_HA__CLOCK_SKEW_MS: '300',
      VIGIL_PIPELINE__IDLE_ADVANCE_MS: '3600000',
      VIGIL_SCHEDULES__HEALTH_REFRESH: '0 0 1 1 *',
    };
    daemon = await spawnDaemon(env);
    const batches = Math.ceil(events.length / BATCH);
    const stopAfter = Math.floor(batches / 3);
    let outage: Promise<void> | null = null;
    outcomes = await postAll(events, {
      url: () => daemon!.url,
      token: TOKEN,
      batchSize: BATCH,
      retryMs: 500,
      // honour Retry-After, but keep knocking at least every 2 s so the outage is observed throughout
      maxWaitMs: 2000,
      batchDeadlineMs: OUTAGE_MS + 60_000,
      onBatch: async (b) => {
        if (b.index === stopAfter) {
          await db.stop();
          stoppedAt = Date.now();
          outage = new Promise<void>((r) => setTimeout(r, OUTAGE_MS)).then(async () => {
            await db.start();
            restartedAt = Date.now();
          });
        }
        await new Promise((r) => setTimeout(r, PAUSE_BETWEEN_BATCHES_MS));
      },
    });
    await outage;
    daemonAliveThroughout = daemon.child.exitCode === null && daemon.child.signalCode === null;
    await waitForPipeline(() => daemon!.url, TOKEN, (f) => f.active && (f.processed ?? 0) + (f.held ?? 0) + (f.late ?? 0) >= events.length, 120_000, 500);
    expect(await daemon.stop()).toBe(0);
    daemon = null;
    outcome = await finishAndRead(env);
    const { MONGODB_URI: _u, VIGIL_STORE__DATABASE: _d, ...cleanEnv } = env;
    clean = await cleanRun(cleanEnv, events, scenario.accounts, BATCH);
    const failures = outcomes.flatMap((o) => o.failures);
    console.log(
      `db-outage e2e: ${events.length} events in ${batches} batches; database down ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s; ` +
        `${failures.filter((f) => f.status === 503).length} answers 503, ${failures.filter((f) => f.status !== 503).length} other failures; ` +
        `processed ${outcome.processed}, late ${outcome.late}`,
    );
  }, 300_000);

  afterAll(async () => {
    await daemon?.crash();
    await db?.destroy();
  });

  it('kept the daemon up and answered 503 with Retry-After while the database was down', () => {
    expect(daemonAliveThroughout).toBe(true);
    expect(restartedAt - stoppedAt).toBeGreaterThanOrEqual(OUTAGE_MS);
    const failures = outcomes.flatMap((o) => o.failures);
    const unavailable = failures.filter((f) => f.status === 503);
    // the client kept knocking through the whole minute and was told 503 each time: from the first
    // seconds of the outage until shortly before the database came back
    expect(unavailable.length).toBeGreaterThanOrEqual(5);
    expect(Math.min(...unavailable.map((f) => f.at)) - stoppedAt).toBeLessThan(OUTAGE_MS / 6);
    expect(restartedAt - Math.max(...unavailable.map((f) => f.at))).toBeLessThan(OUTAGE_MS / 6);
    for (const f of unavailable) expect(Number(f.retryAfter)).toBeGreaterThan(0);
    // no answer other than 202 or 503: no hung or dropped requests, no 500s
    expect(failures.filter((f) => f.status !== 503)).toEqual([]);
  });

  it('acknowledged every event exactly once, across the resends after 503', () => {
    expect(outcomes).toHaveLength(Math.ceil(events.length / BATCH));
    expect(outcomes.reduce((s, o) => s + o.accepted, 0)).toBe(events.length);
  });

  it('processed every event exactly once after reconnecting, as an uninterrupted run does', () => {
    expect(outcome.processed + outcome.late).toBe(events.length);
    expect(outcome.processed).toBe(clean.processed);
    expect(outcome.late).toBe(clean.late);
    expect(Object.keys(outcome.health).length).toBe(Object.keys(clean.health).length);
    expect(outcome.clusters).toEqual(clean.clusters);
    expect(Object.keys(outcome.incidents).sort()).toEqual(Object.keys(clean.incidents).sort());
  });
});
