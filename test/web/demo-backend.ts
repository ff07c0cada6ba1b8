// The backend the dashboard e2e test drives: the fixture API for now (see the note in
// startDemoBackend), with what its data was made to show so the test knows what to look for.
import { startFixtureApi } from './fixture-api.js';

export interface DemoBackend {
  kind: 'daemon' | 'fixture';
  url: string;
  /** Bearer token the page and the test use, when the backend requires one. */
  token?: string;
  headers: Record<string, string>;
  expect: {
    accounts: number;
    /** Accounts made to sour: the top of the at-risk ranking should include some. */
    souringAccountIds: string[];
    /** Accounts hit by the error spike. */
    spikeAccountIds: string[];
    /** A piece of the spiking error's template, as the incidents list shows it. */
    incidentTemplateFragment: string;
  };
  close(): Promise<void>;
}

/** Accounts in the demo data: enough for two pages of the accounts list. */
export const DEMO_ACCOUNTS = 120;

export async function startDemoBackend(): Promise<DemoBackend> {
  const api = await startFixtureApi({ accounts: DEMO_ACCOUNTS });
  return {
    kind: 'fixture',
    url: api.url,
    headers: {},
    expect: {
      accounts: DEMO_ACCOUNTS,
      souringAccountIds: api.truth.souringAccountIds,
      spikeAccountIds: api.truth.spikeAccountIds,
      incidentTemplateFragment: api.truth.incidentTemplate.split(':')[0]!,
    },
    close: () => api.close(),
  };
}
