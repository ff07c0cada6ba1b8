// `vigil demo` as a user runs it: the built CLI replays a generated scenario, prints the Slack
// messages it would send (an incident and an account alert at least), the dashboard URL, and exits.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'dist/src/cli/main.js');
/** Bound on the whole run: the replay of 120 accounts over 21 days takes seconds. */
const RUN_TIMEOUT_MS = 90_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runDemo(args: string[]): Promise<Run> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.json\` first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'demo', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DOTENV_CONFIG_QUIET: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('vigil demo --exit', () => {
  it('replays the scenario, prints incident and account alerts and the dashboard URL, and exits 0', async () => {
    const run = await runDemo(['--exit', '--port', '0', '--accounts', '120', '--days', '21']);
    expect(run.signal, run.stderr.slice(-2000)).toBeNull();
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const header = /Vigil demo: (\d+) accounts, (\d+) events over (\d+) days/.exec(run.stdout);
    expect(header).not.toBeNull();
    expect(Number(header![1])).toBe(120);
    expect(Number(header![3])).toBe(21);
    const replayed = /Replayed in [\d.]+ s: (\d+) events processed/.exec(run.stdout);
    expect(replayed).not.toBeNull();
    expect(Number(replayed![1])).toBe(Number(header![2]));
    // the console sink prints one block per Slack message, naming the channel it would go to
    const incidentAlerts = run.stdout.match(/Slack → #vigil-incidents/g) ?? [];
    const accountAlerts = run.stdout.match(/Slack → #vigil-accounts/g) ?? [];
    expect(incidentAlerts.length, 'incident alerts printed').toBeGreaterThanOrEqual(1);
    expect(accountAlerts.length, 'account alerts printed').toBeGreaterThanOrEqual(1);
    const dashboard = /Dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(run.stdout);
    expect(dashboard).not.toBeNull();
    expect(Number(dashboard![2])).toBeGreaterThan(0);
  }, RUN_TIMEOUT_MS + 10_000);
});
