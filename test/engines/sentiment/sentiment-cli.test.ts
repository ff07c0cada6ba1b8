import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CLI = 'dist/src/cli/main.js';

function run(input: string, args: string[] = ['sentiment', '--jsonl']): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, DOTENV_CONFIG_QUIET: 'true' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('vigil sentiment (CLI end to end)', () => {
  beforeAll(() => {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { encoding: 'utf8' });
    // other modules' type errors do not stop emission; the CLI entry must exist afterwards
    expect(existsSync(CLI), build.stdout).toBe(true);
  }, 180_000);

  it('writes one JSON line per input line, in order', () => {
    const lines = ['I love this product!', 'This is not good at all', '', 'Still not working, third time. Unacceptable!', '😡', 'The report is attached'];
    const r = run(lines.join('\n') + '\n');
    expect(r.status).toBe(0);
    const out = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { score: number; label: string; frustration: boolean; cues: string[]; top: Array<{ word: string; weight: number }> });
    expect(out).toHaveLength(lines.length);
    for (const o of out) {
      expect(Object.keys(o)).toEqual(['score', 'label', 'frustration', 'cues', 'top']);
      expect(o.score).toBeGreaterThanOrEqual(-1);
      expect(o.score).toBeLessThanOrEqual(1);
    }
    expect(out[0]!.label).toBe('positive');
    expect(out[1]!.label).toBe('negative');
    expect(out[2]!.label).toBe('neutral');
    expect(out[3]!.frustration).toBe(true);
    expect(out[3]!.cues).toContain('third time');
    expect(out[4]!.label).toBe('negative');
  });

  it('handles CRLF, a last line without newline, and a 1 MB line', () => {
    const big = 'awful '.repeat(200_000);
    const r = run(`great\r\n${big}\nfine thanks`);
    expect(r.status).toBe(0);
    const out = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { label: string });
    expect(out.map((o) => o.label)).toEqual(['positive', 'negative', 'positive']);
  });

  it('prints tab-separated columns without --jsonl', () => {
    const r = run('great\n', ['sentiment']);
    expect(r.status).toBe(0);
    const cols = r.stdout.trimEnd().split('\t');
    expect(cols.length).toBe(5);
    expect(cols[1]).toBe('positive');
  });

  it('a missing model file is a one-line error with exit code 1', () => {
    const r = run('great\n', ['sentiment', '--model', '/nonexistent/model.json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^vigil: .*model\.json/);
  });
});
