// `vigil cluster` end to end: the built CLI reads messages on stdin and prints, in order, one line
// per input line with the final cluster (after merges). Build first: npx tsc -p tsconfig.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist/src/cli/main.js');
const work = mkdtempSync(join(tmpdir(), 'vigil-cluster-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runCli(args: string[], input: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, 'cluster', ...args], { input, encoding: 'utf8', env: { ...process.env, DOTENV_CONFIG_QUIET: 'true' }, maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('vigil cluster', () => {
  it('is built (run npx tsc -p tsconfig.json first)', () => {
    expect(existsSync(cli)).toBe(true);
  });

  it('prints one JSON line per input line, in order, same error same cluster', () => {
    const input = [
      'Timeout after 120ms calling https://api.acme.io/v2/orders/17',
      'Card declined: insufficient funds for account acct_9x1',
      'Timeout after 3400ms calling https://api.acme.io/v1/orders/99',
      '',
      'Card declined: insufficient funds for account acct_22b',
    ].join('\r\n');
    const r = runCli(['--jsonl'], input);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { cluster: string; template: string });
    expect(lines).toHaveLength(5);
    expect(lines[0]!.cluster).toBe(lines[2]!.cluster);
    expect(lines[1]!.cluster).toBe(lines[4]!.cluster);
    expect(lines[0]!.cluster).not.toBe(lines[1]!.cluster);
    expect(lines[0]!.template).toBe('Timeout after <*> calling <*>');
    expect(lines[1]!.template).toBe('Card declined: insufficient funds for account <*>');
  });

  it('prints the final assignment after merges for earlier lines too', () => {
    const config = join(work, 'merge.yaml');
    writeFileSync(config, 'errors:\n  similarity: 0.5\n  maxCandidates: 1\n');
    const r = runCli(['--jsonl', '--config', config], 'Backup failed for alpha\nBackup stalled at beta\nBackup failed for gamma\nBackup failed for delta\n');
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { cluster: string; template: string });
    expect(lines).toHaveLength(4);
    expect(new Set([lines[0]!.cluster, lines[2]!.cluster, lines[3]!.cluster]).size).toBe(1);
    expect(lines[2]!.template).toBe('Backup failed for <*>');
    expect(lines[1]!.cluster).not.toBe(lines[0]!.cluster);
  });

  it('prints id<TAB>template without --jsonl, nothing for empty input', () => {
    const r = runCli([], 'disk full on /var/lib/db\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{16}\tdisk full on <\*>\n$/);
    const empty = runCli(['--jsonl'], '');
    expect(empty.status).toBe(0);
    expect(empty.stdout).toBe('');
  });

  it('survives a 1 MB line and binary-looking input', () => {
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)).toString('latin1');
    const r = runCli(['--jsonl'], `${'y'.repeat(1024 * 1024)}\n${binary}\nok line\n`);
    expect(r.status).toBe(0);
    // The binary blob holds newlines of its own; each resulting line gets its own output line.
    const inputLines = `${'y'.repeat(1024 * 1024)}\n${binary}\nok line`.split('\n').length;
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(inputLines);
  });
});
