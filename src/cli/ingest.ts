// `vigil ingest <file.ndjson|->`: streams an NDJSON file of any size in batches, either to a running
// daemon (--url) or straight into the configured MongoDB event log; rejected lines are reported by number.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { VigilConfig } from '../config/schema.js';
import { EventLog } from '../events/event-log.js';
import type { FieldError, VigilEvent } from '../events/types.js';
import { validateEvent } from '../events/validate.js';
import { silentLogger } from '../logging.js';
import { openStore } from '../store/open-store.js';
import { RuntimeFailure, UsageError } from './errors.js';

/** How often the progress line is refreshed; once a second reads as live without flooding a log. */
const PROGRESS_EVERY_MS = 1000;
/** Bytes of JSON framing per event in a batch body (comma) and per body (brackets). */
const FRAMING_BYTES = 2;

interface Options {
  url?: string;
  token?: string;
  batch?: string;
  config?: string;
  quiet?: boolean;
}

/** One line of the input: its number (from 1) and its bytes without the newline. */
interface Line {
  no: number;
  bytes: Buffer;
}

/**
 * Splits a byte stream into lines without decoding across chunk borders; a line longer than
 * `maxBytes` is reported (bytes = null) and skipped without being held in memory.
 */
async function* readLines(input: NodeJS.ReadableStream, maxBytes: number): AsyncGenerator<Line | { no: number; bytes: null }> {
  let parts: Buffer[] = [];
  let held = 0;
  let tooLong = false;
  let no = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!tooLong) {
        if (held + (end - start) > maxBytes) {
          tooLong = true;
          parts = [];
          held = 0;
        } else if (end > start) {
          parts.push(chunk.subarray(start, end));
          held += end - start;
        }
      }
      if (nl === -1) break;
      no++;
      if (tooLong) yield { no, bytes: null };
      else yield { no, bytes: parts.length === 1 ? parts[0]! : Buffer.concat(parts, held) };
      parts = [];
      held = 0;
      tooLong = false;
      start = nl + 1;
    }
  }
  if (held > 0 || tooLong) {
    no++;
    yield tooLong ? { no, bytes: null } : { no, bytes: Buffer.concat(parts, held) };
  }
}

interface Totals {
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** Where batches go: the daemon over HTTP, or the MongoDB event log directly. */
interface Sink {
  /** Sends parsed items; returns counts and the problems by position in `items`. */
  send(items: unknown[]): Promise<{ accepted: number; duplicates: number; errors: FieldError[] }>;
  close(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function httpSink(baseUrl: string, token: string | undefined, cfg: VigilConfig): Sink {
  const url = new URL(baseUrl.replace(/\/+$/, '') + '/v1/events');
  return {
    async send(items) {
      const body = JSON.stringify(items);
      for (let attempt = 0; ; attempt++) {
        let res: Response;
        try {
          res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body,
          });
        } catch (err) {
          if (attempt >= cfg.store.writeRetries) throw new RuntimeFailure(`cannot reach ${url.origin}: ${(err as Error).message}`);
          await sleep(cfg.store.retryBaseMs * 2 ** attempt);
          continue;
        }
        const text = await res.text();
        let json: { accepted?: number; duplicates?: number; errors?: FieldError[]; message?: string } = {};
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON: reported below with the status
        }
        if (res.status === 202 || (res.status === 400 && Array.isArray(json.errors) && json.accepted !== undefined)) {
          return { accepted: json.accepted ?? 0, duplicates: json.duplicates ?? 0, errors: json.errors ?? [] };
        }
        if ((res.status === 503 || res.status === 429) && attempt < cfg.store.writeRetries) {
          const after = Number(res.headers.get('retry-after'));
          await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : cfg.store.retryBaseMs * 2 ** attempt);
          continue;
        }
        throw new RuntimeFailure(`${url.href} answered ${res.status}: ${json.message ?? text.slice(0, 200)}`);
      }
    },
    async close() {},
  };
}

async function storeSink(cfg: VigilConfig): Promise<Sink> {
  const store = await openStore(cfg.store, silentLogger());
  const log = new EventLog(store);
  const limits = { maxTextChars: cfg.server.maxTextChars };
  return {
    async send(items) {
      const events: VigilEvent[] = [];
      const errors: FieldError[] = [];
      items.forEach((item, index) => {
        const v = validateEvent(item, limits);
        if (v.ok) events.push(v.value);
        else for (const e of v.errors) errors.push({ index, ...e });
      });
      const res = await log.append(events, Date.now());
      return { accepted: res.accepted, duplicates: res.duplicates, errors };
    },
    close: () => store.close(),
  };
}

/** Rejected lines waiting for the end of their batch, so they print in line order. */
const pendingReports: Array<{ line: number; text: string }> = [];

function report(line: number, field: string, reason: string): void {
  pendingReports.push({ line, text: `line ${line}: ${field}: ${reason}\n` });
}

function printReports(): void {
  pendingReports.sort((a, b) => a.line - b.line);
  for (const r of pendingReports) process.stderr.write(r.text);
  pendingReports.length = 0;
}

export async function runIngest(file: string, opts: Options): Promise<Totals> {
  // VIGIL_TOKEN is this command's credential, not a configuration key
  const { VIGIL_TOKEN: envToken, ...env } = process.env;
  const cfg = loadConfig({ file: opts.config, env });
  const batchSize = opts.batch === undefined ? cfg.server.maxBatchEvents : Number(opts.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch: expected a positive integer, got "${opts.batch}"`);
  const token = opts.token ?? envToken;
  if (!opts.url && !cfg.store.mongoUri) {
    throw new UsageError(
      'ingest: no MongoDB configured (store.mongoUri / MONGODB_URI), and the embedded store would lose the events when this command exits; set MONGODB_URI, or send to a running daemon with --url',
    );
  }
  if (opts.url && !/^https?:\/\//.test(opts.url)) throw new UsageError(`--url: expected http(s)://host:port, got "${opts.url}"`);
  let input: NodeJS.ReadableStream;
  if (file === '-') input = process.stdin;
  else {
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a regular file');
    } catch (err) {
      throw new UsageError(`ingest: cannot read ${file}: ${(err as Error).message}`);
    }
    input = createReadStream(file);
  }

  const sink = opts.url ? httpSink(opts.url, token, cfg) : await storeSink(cfg);
  const totals: Totals = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  let lastProgress = started;
  const progress = (final: boolean) => {
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? Math.round(totals.lines / secs) : 0;
    const text = `ingest: ${totals.lines} lines, ${totals.accepted} accepted, ${totals.duplicates} duplicates, ${totals.rejected} rejected (${rate} lines/s)`;
    if (opts.quiet && !final) return;
    process.stderr.write(tty && !final ? `\r${text}` : `${tty ? '\r' : ''}${text}\n`);
  };

  // the server refuses bodies over its limit; keep each batch under it
  const maxBody = cfg.server.bodyLimitBytes;
  let items: unknown[] = [];
  let lineNos: number[] = [];
  let bytes = FRAMING_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const flush = async (final = false) => {
    if (items.length === 0) return printReports();
    const res = await sink.send(items);
    totals.accepted += res.accepted;
    totals.duplicates += res.duplicates;
    const bad = new Set<number>();
    for (const e of res.errors) {
      bad.add(e.index);
      report(lineNos[e.index]!, e.field, e.reason);
    }
    totals.rejected += bad.size;
    printReports();
    items = [];
    lineNos = [];
    bytes = FRAMING_BYTES;
    if (!final && Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      progress(false);
    }
  };

  try {
    for await (const line of readLines(input, maxBody - FRAMING_BYTES)) {
      if (line.bytes === null) {
        totals.lines = line.no;
        totals.rejected++;
        report(line.no, '(line)', `longer than ${maxBody - FRAMING_BYTES} bytes (server.bodyLimitBytes)`);
        continue;
      }
      totals.lines = line.no;
      let text: string;
      try {
        text = decoder.decode(line.bytes);
      } catch {
        totals.rejected++;
        report(line.no, '(line)', 'not valid UTF-8');
        continue;
      }
      if (text.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        totals.rejected++;
        report(line.no, '(line)', `invalid JSON: ${(err as Error).message}`);
        continue;
      }
      if (items.length >= batchSize || bytes + line.bytes.length + 1 > maxBody) await flush();
      items.push(parsed);
      lineNos.push(line.no);
      bytes += line.bytes.length + 1;
    }
    await flush(true);
  } finally {
    await sink.close();
  }
  progress(true);
  return totals;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('stream an NDJSON file of events (one JSON object a line) into Vigil, in batches')
    .argument('<file>', 'NDJSON file, or - for standard input')
    .option('--url <url>', 'send to a running daemon at this base URL (e.g. http://127.0.0.1:8080) instead of writing to MongoDB')
    .option('--token <token>', 'bearer token with the write scope for --url (default: env VIGIL_TOKEN)')
    .option('--batch <n>', 'events per batch (default: server.maxBatchEvents)')
    .option('-c, --config <file>', 'YAML configuration file (default: built-in defaults; env VIGIL_CONFIG)')
    .option('-q, --quiet', 'no progress line, only the final summary and rejected lines')
    .addHelpText(
      'after',
      '\nWithout --url the events go straight into the MongoDB event log of the configuration\n(MONGODB_URI); with only the embedded store configured that is refused (exit 2), since\nthe events would be lost. Rejected lines are reported on stderr as "line N: field: reason";\nthe summary is printed as one JSON line on stdout. Exit 0 even when lines were rejected.',
    )
    .action(async (file: string, opts: Options) => {
      const totals = await runIngest(file, opts);
      process.stdout.write(JSON.stringify(totals) + '\n');
    });
}
