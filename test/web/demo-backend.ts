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
  /** Bearer token the page and the test use, when the backend requires one. */
  token?: string;
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
  const list = (await (await fetch(`${url}/v1/incidents`, { headers })).json()) as { items: IncidentSummary[] };
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

async function startDaemonBackend(opts: { tokens?: Array<{ token: string; scopes: Array<'read' | 'write'> }>; replay: boolean }): Promise<DemoBackend> {
  const config = loadConfig({ env: {}, overrides: { server: { port: 0, host: '127.0.0.1', tokens: opts.tokens ?? [] }, store: { mongoUri: '' }, log: { level: 'error' } } });
  const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
  const daemon = await startDaemon(config, { autoProcess: false, alertsOut: quiet, logger: pino({ level: 'error' }) });
  const token = opts.tokens?.[0]?.token;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (!opts.replay) {
    return { kind: 'daemon', url: daemon.url, token, headers, expect: { accounts: 0, souringAccountIds: [], spikeAccountIds: [], incidentId: '' }, close: () => daemon.stop() };
  }
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
    token,
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

async function startFixtureBackend(token?: string): Promise<DemoBackend> {
  const api = await startFixtureApi({ accounts: DEMO_ACCOUNTS, token });
  return {
    kind: 'fixture',
    url: api.url,
    token,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    expect: {
      accounts: DEMO_ACCOUNTS,
      souringAccountIds: api.truth.souringAccountIds,
      spikeAccountIds: api.truth.spikeAccountIds,
      incidentId: api.openIncidentId,
    },
    close: () => api.close(),
  };
}

function useFixture(): boolean {
  return process.env.VIGIL_E2E_BACKEND === 'fixture';
}

/** The demo data behind the dashboard. */
export function startDemoBackend(): Promise<DemoBackend> {
  return useFixture() ? startFixtureBackend() : startDaemonBackend({ replay: true });
}

/** A backend that requires `token` (read and write scopes), with no data: for the token prompt. */
export function startTokenBackend(token: string): Promise<DemoBackend> {
  return useFixture() ? startFixtureBackend(token) : startDaemonBackend({ replay: false, tokens: [{ token, scopes: ['read', 'write'] }] });
}
