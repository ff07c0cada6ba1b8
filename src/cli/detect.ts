// `vigil detect`: scores a NAB-layout series (`timestamp,value` with a header) read on stdin and
// writes `timestamp,value,anomaly_score`, one row per input row, with the daemon's SeriesDetector.
import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { loadConfig } from '../config/load.js';
import { SeriesDetector } from '../engines/detect/series-detector.js';
import { UsageError } from './errors.js';

// Rows are written in chunks of this many: one write per row would dominate the run time.
const WRITE_CHUNK_ROWS = 4096;

/** Parses a timestamp as ISO-8601; a bare `YYYY-MM-DD HH:MM:SS` (the NAB layout) is read as UTC. */
export function parseTimestamp(raw: string): number {
  const s = raw.trim();
  const bare = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s);
  if (bare) return Date.parse(`${s.replace(' ', 'T')}Z`);
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s); // epoch milliseconds
  return Date.parse(s);
}

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description('Score a time series: `timestamp,value` CSV (with header) on stdin -> `timestamp,value,anomaly_score` on stdout.')
    .option('--config <file>', 'YAML configuration file (the `detect` section is used)')
    .action(async (opts: { config?: string }) => {
      const cfg = loadConfig(opts.config ? { file: opts.config } : {}).detect;
      const detector = new SeriesDetector(cfg);
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      let lineNo = 0;
      let buf: string[] = [];
      const flush = async (): Promise<void> => {
        if (buf.length === 0) return;
        const chunk = buf.join('');
        buf = [];
        if (!process.stdout.write(chunk)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
      };
      for await (const line of lines) {
        lineNo++;
        if (lineNo === 1) {
          const cols = line.replace(/^\uFEFF/, '').split(',').map((c) => c.trim().toLowerCase());
          if (cols[0] !== 'timestamp' || cols[1] !== 'value') {
            throw new UsageError(`line 1: expected the header "timestamp,value", got "${line.slice(0, 80)}"`);
          }
          buf.push('timestamp,value,anomaly_score\n');
          continue;
        }
        if (line.trim() === '') continue;
        const comma = line.indexOf(',');
        if (comma < 0) throw new UsageError(`line ${lineNo}: expected "timestamp,value", got "${line.slice(0, 80)}"`);
        const tsRaw = line.slice(0, comma);
        const valueRaw = line.slice(comma + 1).split(',')[0]!.trim();
        const t = parseTimestamp(tsRaw);
        if (!Number.isFinite(t)) throw new UsageError(`line ${lineNo}: timestamp "${tsRaw}" is not a date`);
        const value = valueRaw === '' ? NaN : Number(valueRaw);
        // A missing or non-numeric value scores 0 and teaches the detector nothing.
        const score = detector.update(t, value);
        buf.push(`${tsRaw},${valueRaw},${formatScore(score)}\n`);
        if (buf.length >= WRITE_CHUNK_ROWS) await flush();
      }
      if (lineNo === 0) throw new UsageError('empty input: expected the header "timestamp,value" and rows');
      await flush();
    });
}

// Nine decimals keep distinct scores distinct for threshold sweeps, without float noise.
function formatScore(s: number): string {
  return String(Math.round(s * 1e9) / 1e9);
}
