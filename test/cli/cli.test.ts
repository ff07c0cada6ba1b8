import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

function vigil(args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000, input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('vigil command line', () => {
  it('lists every command in --help', () => {
    const r = vigil(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['start', 'ingest', 'cluster', 'detect', 'sentiment', 'demo', 'config-doc']) expect(r.stdout).toContain(cmd);
  });

  it.each(['start', 'ingest', 'cluster', 'detect', 'sentiment', 'demo', 'config-doc'])('%s --help exits 0 with its usage', (cmd) => {
    const r = vigil([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: vigil ${cmd}`);
  });

  it('exits 2 with one line on stderr for usage errors', () => {
    const unknown = vigil(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    const badPort = vigil(['start', '--port', 'abc']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr.trim()).toBe('vigil: --port: expected an integer 0..65535, got "abc"');
  });

  it('stops start-up on a wrong configuration value, naming key, value and reason', () => {
    const r = vigil(['start'], { VIGIL_PIPELINE__BATCH_SIZE: '-4' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^vigil: config: pipeline\.batchSize = -4: .+/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 for an unreadable config file and 1 when the run fails', () => {
    const r = vigil(['start', '--config', '/nonexistent/vigil.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read /nonexistent/vigil.yaml');
    const line = JSON.stringify({ id: 'e1', type: 'ticket.created', occurredAt: '2026-10-01T00:00:00Z', accountId: 'a', ticketId: 't' });
    const bad = vigil(['ingest', '-', '--url', 'http://127.0.0.1:9', '--quiet'], {}, line + '\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n').pop()).toMatch(/^vigil: /);
  });

  it('config-doc prints the documented defaults', () => {
    const r = vigil(['config-doc']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# Address the HTTP API listens on');
  });
});
