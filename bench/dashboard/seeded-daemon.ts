// The real daemon (embedded store) holding N accounts for the dashboard bench: replays a small
// generated scenario through the pipeline, then clones its health documents up to N accounts.
// Replaying 10k accounts would take many minutes; cloning keeps every document in the daemon's own shape.
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import type { Doc, Store } from '../../src/store/repository.js';
import { generateScenario } from '../../src/scenario/generate.js';

/** Accounts replayed for real before cloning: enough for every band and a spread of histories. */
const REPLAYED_ACCOUNTS = 200;
const REPLAYED_DAYS = 35;
const SEED = 11;
const WRITE_BATCH = 1000;

interface HealthLike extends Doc {
  accountId: string;
  name?: string;
}
interface HistoryLike extends Doc {
  accountId: string;
}

export async function startSeededDaemon(accounts: number): Promise<{ url: string; describe: string; store: Store; close(): Promise<void> }> {
  const config = loadConfig({ env: {}, overrides: { server: { port: 0, host: '127.0.0.1' }, store: { mongoUri: '' }, log: { level: 'error' } } });
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  const daemon = await startDaemon(config, { autoProcess: false, alertsOut: quiet, logger: pino({ level: 'error' }) });
  const scenario = generateScenario({ seed: SEED, accounts: REPLAYED_ACCOUNTS, days: REPLAYED_DAYS, startMs: Date.UTC(2026, 9, 1) });
  await daemon.ingest(scenario.events, scenario.accounts);
  await daemon.drain();
  await daemon.processor()?.refreshAll();
  await daemon.runJob('outreachDigest');

  const store = daemon.store;
  const health = await store.collection<HealthLike>('health').find({});
  const history = await store.collection<HistoryLike>('healthHistory').find({});
  const historyByAccount = new Map<string, HistoryLike[]>();
  for (const h of history) historyByAccount.set(h.accountId, [...(historyByAccount.get(h.accountId) ?? []), h]);

  const healthOut: HealthLike[] = [];
  const historyOut: HistoryLike[] = [];
  for (let i = health.length; i < accounts; i++) {
    const src = health[i % health.length]!;
    const accountId = `${src.accountId}-c${i}`;
    healthOut.push({ ...src, _id: accountId, accountId, name: `${src.name ?? src.accountId} ${i}` });
    for (const h of historyByAccount.get(src.accountId) ?? []) historyOut.push({ ...h, _id: h._id.replace(src.accountId, accountId), accountId });
  }
  for (let i = 0; i < healthOut.length; i += WRITE_BATCH) await store.collection<HealthLike>('health').putMany(healthOut.slice(i, i + WRITE_BATCH));
  for (let i = 0; i < historyOut.length; i += WRITE_BATCH) await store.collection<HistoryLike>('healthHistory').putMany(historyOut.slice(i, i + WRITE_BATCH));
  const total = await store.collection('health').count({});
  return {
    url: daemon.url,
    store,
    describe: `real daemon (embedded store): ${REPLAYED_ACCOUNTS} accounts replayed over ${REPLAYED_DAYS} days, health cloned to ${total} accounts`,
    close: () => daemon.stop(),
  };
}
