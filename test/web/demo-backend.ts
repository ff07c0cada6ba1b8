// The backend the dashboard e2e test drives: by default the real daemon (embedded store) after
// replaying a generated scenario; VIGIL_E2E_BACKEND=fixture swaps in the fixture API for quick work.
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { generateScenario } from '../../src/scenario/generate.js';
import { startFixtureApi } from './fixture-api.js';

export interface DemoBackend {
  kind: 'daemon' | 'fixture';
  url: string;
  /** Bearer token with read and write scopes: the page and the test use it. */
  token: string;
  /** Bearer token with the read scope only. */
  readToken: string;
  headers: Record<string, string>;
  expect: {
    /** Accounts with at least one event: the ones that get a health score. */
    accounts: number;
    /** Accounts made to sour: the top of the at-risk ranking should include some. */
    souringAccountIds: string[];
    /** Accounts hit by the error spike. */
    spikeAccountIds: string[];
    /** The incident the spike became (found through the API by its accounts and time). */
    incidentId: string;
  };
  close(): Promise<void>;
}

// The data `vigil demo` replays by default (src/cli/demo.ts): seed 7, 400 accounts, 35 days from
// 1 Oct 2026, so the browser sees what a person running the demo sees.
export const DEMO_ACCOUNTS = 400;
export const DEMO_DAYS = 35;
const DEMO_SEED = 7;
const DEMO_START_MS = Date.UTC(2026, 9, 1);
/** The spike's incident may open a little before the scenario's nominal start (first events). */
const SPIKE_SLACK_MS = 3_600_000;

interface IncidentSummary {
  id: string;
  openedAt: number;
}
interface IncidentDetail extends IncidentSummary {
  affectedAccounts: Array<{ accountId: string }>;
}

/** The incident that overlaps the spike's accounts most and opened during the spike. */
async function findSpikeIncident(url: string, headers: Record<string, string>, spike: { startMs: number; endMs: number; accountIds: string[] }): Promise<string> {
  const list = (await (await fetch(`${url}/v1/incidents?limit=500`, { headers })).json()) as { items: IncidentSummary[] };
  const wanted = new Set(spike.accountIds);
  let best = { id: '', overlap: 0 };
  for (const item of list.items) {
    if (item.openedAt < spike.startMs - SPIKE_SLACK_MS || item.openedAt > spike.endMs) continue;
    const detail = (await (await fetch(`${url}/v1/incidents/${encodeURIComponent(item.id)}`, { headers })).json()) as IncidentDetail;
    const overlap = detail.affectedAccounts.filter((a) => wanted.has(a.accountId)).length;
    if (overlap > best.overlap) best = { id: item.id, overlap };
  }
  return best.id;
}

/** Test-only tokens (loopback daemon): one may write, one may only read. */
export const WRITE_TOKEN = 'e2e-write-token-0123456789';
export const READ_TOKEN = 'e2e-read-token-0123456789';

async function startDaemonBackend(): Promise<DemoBackend> {
  const tokens = [
    { token: WRITE_TOKEN, scopes: ['read', 'write'] as Array<'read' | 'write'> },
    { token: READ_TOKEN, scopes: ['read'] as Array<'read' | 'write'> },
  ];
  const config = loadConfig({ env: {}, overrides: { server: { port: 0, host: '127.0.0.1', tokens }, store: { mongoUri: '' }, log: { level: 'error' } } });
  const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
  const daemon = await startDaemon(config, { autoProcess: false, alertsOut: quiet, logger: pino({ level: 'error' }) });
  const headers = { authorization: `Bearer ${WRITE_TOKEN}` };
  const scenario = generateScenario({ seed: DEMO_SEED, accounts: DEMO_ACCOUNTS, days: DEMO_DAYS, startMs: DEMO_START_MS });
  // As `vigil demo` does: replay in event time, score every account, build the outreach list.
  await daemon.ingest(scenario.events, scenario.accounts);
  await daemon.drain();
  await daemon.processor()?.refreshAll();
  await daemon.runJob('outreachDigest');
  await daemon.flushAlerts();
  const { spike } = scenario.truth;
  return {
    kind: 'daemon',
    url: daemon.url,
    token: WRITE_TOKEN,
    readToken: READ_TOKEN,
    headers,
    expect: {
      accounts: new Set(scenario.events.map((e) => e.accountId)).size,
      souringAccountIds: scenario.truth.souring.map((s) => s.accountId),
      spikeAccountIds: spike.accountIds,
      incidentId: await findSpikeIncident(daemon.url, headers, spike),
    },
    close: () => daemon.stop(),
  };
}

async function startFixtureBackend(): Promise<DemoBackend> {
  const api = await startFixtureApi({ accounts: DEMO_ACCOUNTS, token: WRITE_TOKEN, readToken: READ_TOKEN });
  return {
    kind: 'fixture',
    url: api.url,
    token: WRITE_TOKEN,
    readToken: READ_TOKEN,
    headers: { authorization: `Bearer ${WRITE_TOKEN}` },
    expect: {
      accounts: DEMO_ACCOUNTS,
      souringAccountIds: api.truth.souringAccountIds,
      spikeAccountIds: api.truth.spikeAccountIds,
      incidentId: api.openIncidentId,
    },
    close: () => api.close(),
  };
}

/** The demo data behind the dashboard, behind a write token and a read-only token. */
export function startDemoBackend(): Promise<DemoBackend> {
  return process.env.VIGIL_E2E_BACKEND === 'fixture' ? startFixtureBackend() : startDaemonBackend();
}
