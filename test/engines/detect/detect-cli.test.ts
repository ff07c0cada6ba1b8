// `vigil detect` as a user runs it: the built CLI (npx tsc -p tsconfig.json) spawned on a NAB-layout CSV.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectConfig } from '../../../src/engines/detect/config.js';
import { SeriesDetector } from '../../../src/engines/detect/series-detector.js';

const CLI = join(process.cwd(), 'dist/src/cli/main.js');

function runDetect(input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'detect'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DOTENV_CONFIG_QUIET: 'true' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

function csv(n: number): { text: string; t: number[]; v: number[] } {
  const t: number[] = [];
  const v: number[] = [];
  const rows = ['timestamp,value'];
  for (let i = 0; i < n; i++) {
    const ms = Date.UTC(2024, 0, 1) + i * 300_000;
    const value = i === 700 ? 400 : 100 + 10 * Math.sin(i / 12) + ((i * 7919) % 13) / 13;
    t.push(ms);
    v.push(value);
    rows.push(`${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)},${value}`);
  }
  return { text: rows.join('\n') + '\n', t, v };
}

describe('vigil detect (built CLI)', () => {
  it('writes timestamp,value,anomaly_score for every row, the same scores as the SeriesDetector', async () => {
    const input = csv(1000);
    const out = await runDetect(input.text);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score');
    expect(lines).toHaveLength(1001);
    const inputRows = input.text.trim().split('\n');
    const d = new SeriesDetector(detectConfig.parse({}));
    for (let i = 1; i < lines.length; i++) {
      const [ts, value, score] = lines[i]!.split(',');
      expect(`${ts},${value}`).toBe(inputRows[i]);
      const s = Number(score);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
      expect(s).toBeCloseTo(d.update(input.t[i - 1]!, input.v[i - 1]!), 8);
    }
    const scores = lines.slice(1).map((l) => Number(l.split(',')[2]));
    expect(scores[700]).toBe(Math.max(...scores));
  });

  it('rejects input without the NAB header with exit code 2 and a one-line message', async () => {
    const out = await runDetect('time;value\n2024-01-01 00:00:00;1\n');
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^vigil: line 1: expected the header "timestamp,value"/);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names the line of a bad timestamp', async () => {
    const out = await runDetect('timestamp,value\n2024-01-01 00:00:00,1\nyesterday,2\n');
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/line 3: timestamp "yesterday" is not a date/);
  });
});
