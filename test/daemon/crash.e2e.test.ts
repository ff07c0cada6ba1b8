// Crash safety end to end: `vigil start` on FerretDB is killed with SIGKILL ten times while a client
// posts a generated scenario and while the pipeline works through it; after the last restart the
// outcome (health, incidents, clusters, escalation summary, alert keys) equals an uninterrupted run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario } from '../../src/scenario/generate.js';
import { freePort } from '../support/ferretdb.js';
import { mongoUriOrSkip, uniqueDatabase } from '../support/mongo.js';
import { spawnDaemon, type DaemonProcess } from './support/daemon-process.js';
import { postAll, type BatchOutcome } from './support/intake-client.js';
import { waitForPipeline } from './support/pipeline-progress.js';
import { cleanRun, finishAndRead, type VigilEnv } from './support/clean-run.js';
import { healthDiff, keyDiff, type RunOutcome } from './support/outcome.js';

const uri = mongoUriOrSkip();
const TOKEN = 'crash-e2e-token-0123456789';
/**
 * Scenario size. The issue asks for 100k events (650 accounts x 35 days gives 99k); on this 2-core
 * machine, shared and loaded, 200 accounts (about 30k events) already take about 4 minutes, most of
 * it intake paced by ten restarts (each waits for the killed daemon's lease to lapse).
 * VIGIL_E2E_CRASH_ACCOUNTS=650 runs the full 100k.
 */
const ACCOUNTS = Number(process.env.VIGIL_E2E_CRASH_ACCOUNTS ?? 200);
const DAYS = 35;
const BATCH = 500;
const KILLS = 10;
/** Kills during intake, at these fractions of the batches acknowledged; the rest during processing. */
const INTAKE_KILL_POINTS = [0.06, 0.16, 0.27, 0.38, 0.5, 0.62, 0.74];
/** Extra delay after a kill point, so the kill lands at varied moments inside a request or a step. */
const KILL_JITTER_MS = [0, 130, 45, 260, 10, 190, 75, 320, 20, 150];

describe.skipIf(!uri)('kill -9 during intake and processing', () => {
  const scenario = generateScenario({ seed: 23, accounts: ACCOUNTS, days: DAYS, startMs: Date.UTC(2026, 8, 1) });
  const events = scenario.events;
  const database = uniqueDatabase('crash_e2e');
  let port = 0;
  let env: VigilEnv = {};
  let daemon: DaemonProcess | null = null;
  const kills: Array<{ at: string; pid: number; ms: number }> = [];
  let crashed: RunOutcome;
  let clean: RunOutcome;
  let outcomes: BatchOutcome[] = [];
  const t0 = Date.now();

  let restartError: Error | null = null;
  const restart = async (label: string, jitterMs: number): Promise<void> => {
    await new Promise((r) => setTimeout(r, jitterMs));
    const old = daemon!;
    await old.crash();
    kills.push({ at: label, pid: old.pid, ms: Date.now() - t0 });
    try {
      daemon = await spawnDaemon(env);
    } catch (err) {
      restartError = new Error(`restart after ${label} failed: ${(err as Error).message}; the killed daemon's stderr: ${old.stderr().slice(-1500)}`);
      throw restartError;
    }
  };
  const baseUrl = () => {
    if (restartError) throw restartError;
    return `http://127.0.0.1:${port}`;
  };

  beforeAll(async () => {
    port = await freePort();
    env = {
      MONGODB_URI: uri!,
      VIGIL_STORE__DATABASE: database,
      VIGIL_API_TOKENS: `${TOKEN}:read+write`,
      VIGIL_SERVER__PORT: String(port),
      VIGIL_HA__INSTANCE_ID: 'crash-e2e',
      // a restarted daemon waits for its own dead reign to lapse (src/daemon/lease.ts), so keep it short
      VIGIL_HA__LEASE_MS: '3000',
      VIGIL_HA__RENEW_MS: '800',
      VIGIL_HA__CLOCK_SKEW_MS: '300',
      VIGIL_PIPELINE__CHECKPOINT_EVERY: '3000',
      // event time must come from the events alone for the comparison: no wall-clock idle advance
      VIGIL_PIPELINE__IDLE_ADVANCE_MS: '3600000',
      VIGIL_SCHEDULES__HEALTH_REFRESH: '0 0 1 1 *',
    };
    daemon = await spawnDaemon(env);
    for (const a of scenario.accounts) {
      const { accountId, ...rest } = a;
      const res = await fetch(`${daemon.url}/v1/accounts/${accountId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(rest),
      });
      expect(res.status).toBe(201);
    }

    const batches = Math.ceil(events.length / BATCH);
    const killAt = INTAKE_KILL_POINTS.map((f) => Math.floor(f * batches));
    let restarting: Promise<void> = Promise.resolve();
    outcomes = await postAll(events, {
      url: baseUrl,
      token: TOKEN,
      batchSize: BATCH,
      retryMs: 100,
      maxWaitMs: 1000,
      batchDeadlineMs: 45_000,
      onBatch: (b) => {
        const k = killAt.indexOf(b.index);
        if (k >= 0) restarting = restarting.then(() => restart(`intake batch ${b.index}/${batches}`, KILL_JITTER_MS[k]!));
      },
    }).catch((err: Error) => {
      throw new Error(`${err.message}\nkills so far: ${JSON.stringify(kills)}\ncurrent daemon's stderr: ${daemon?.stderr().slice(-3000)}`);
    });
    await restarting;
    const intakeDone = Date.now() - t0;

    // the remaining kills while the pipeline replays and works through the backlog
    for (let k = INTAKE_KILL_POINTS.length; k < KILLS; k++) {
      // wait for the restarted daemon to take the lease and move, then kill it mid-work
      await waitForPipeline(() => daemon!.url, TOKEN, (f) => f.active && (f.processed ?? 0) > 0, 60_000, 200);
      await restart(`processing (after intake, restart ${k - INTAKE_KILL_POINTS.length + 1})`, KILL_JITTER_MS[k]!);
    }
    const unique = events.length;
    const done = await waitForPipeline(() => daemon!.url, TOKEN, (f) => f.active && (f.processed ?? 0) + (f.held ?? 0) + (f.late ?? 0) >= unique, 240_000, 500);
    const processingDone = Date.now() - t0;
    expect(await daemon.stop()).toBe(0);
    daemon = null;
    crashed = await finishAndRead(env);
    const t1 = Date.now();
    const { MONGODB_URI: _u, VIGIL_STORE__DATABASE: _d, ...cleanEnv } = env;
    clean = await cleanRun(cleanEnv, events, scenario.accounts, BATCH);
    console.log(
      `crash e2e: ${events.length} events, ${ACCOUNTS} accounts, ${kills.length} kills; intake ${(intakeDone / 1000).toFixed(1)} s, ` +
        `caught up ${(processingDone / 1000).toFixed(1)} s (figures ${JSON.stringify(done)}), clean run ${((Date.now() - t1) / 1000).toFixed(1)} s; ` +
        `resends ${outcomes.reduce((s, o) => s + o.attempts - 1, 0)}, duplicates ${outcomes.reduce((s, o) => s + o.duplicates, 0)}\n` +
        kills.map((k) => `  kill pid ${k.pid} at ${(k.ms / 1000).toFixed(1)} s: ${k.at}`).join('\n'),
    );
  }, 600_000);

  afterAll(async () => {
    await daemon?.crash();
  });

  it('killed the daemon ten times, during intake and during processing', () => {
    expect(kills).toHaveLength(KILLS);
    expect(kills.filter((k) => k.at.startsWith('intake'))).toHaveLength(INTAKE_KILL_POINTS.length);
  });

  it('acknowledged every event exactly once across resends', () => {
    expect(outcomes).toHaveLength(Math.ceil(events.length / BATCH));
    // A batch the killed daemon stored before its answer was lost comes back from the resend as
    // duplicates: each event is then acknowledged once, as new or as already stored, never as new twice.
    expect(outcomes.reduce((s, o) => s + o.accepted + o.duplicates, 0)).toBe(events.length);
    for (const o of outcomes) {
      expect(o.accepted + o.duplicates).toBe(Math.min(BATCH, events.length - o.index * BATCH));
      // ids are unique, so only a resend can meet events already stored
      if (o.attempts === 1) expect(o.duplicates).toBe(0);
    }
  });

  it('processed every event exactly once, as the clean run did', () => {
    expect(clean.processed + clean.late).toBe(events.length);
    expect(crashed.processed).toBe(clean.processed);
    expect(crashed.late).toBe(clean.late);
  });

  it('has the same health score and band for every account', () => {
    expect(Object.keys(crashed.health).length).toBeGreaterThan(ACCOUNTS * 0.9);
    expect(healthDiff(crashed, clean)).toEqual([]);
  });

  it('has the same incidents, clusters and escalation summary', () => {
    expect(Object.keys(clean.incidents).length).toBeGreaterThan(0);
    expect(crashed.incidents).toEqual(clean.incidents);
    expect(Object.keys(crashed.clusters).length).toBe(Object.keys(clean.clusters).length);
    expect(crashed.clusters).toEqual(clean.clusters);
    expect(crashed.escalation).toEqual(clean.escalation);
  });

  it('has the same alerts, none duplicated', () => {
    expect(clean.alertKeys.length).toBeGreaterThan(0);
    expect(new Set(crashed.alertKeys).size).toBe(crashed.alertKeys.length);
    expect(keyDiff(crashed.alertKeys, clean.alertKeys)).toEqual({ onlyInFirst: [], onlyInSecond: [] });
    expect(crashed.alertKinds).toEqual(clean.alertKinds);
  });
});
