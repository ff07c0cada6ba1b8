// `vigil ingest` as a user runs it: the built CLI spawned against FerretDB (direct to the event
// log) and against an in-process daemon (--url), with bad lines reported by number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/load.js';
import { buildServer } from '../../src/api/server.js';
import { EventLog } from '../../src/events/event-log.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import { silentLogger } from '../../src/logging.js';
import { mongoUriOrSkip, uniqueDatabase } from '../support/mongo.js';

const mongoUri = mongoUriOrSkip();
const CLI = join(process.cwd(), 'dist/src/cli/main.js');
const TOKEN = 't'.repeat(24);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string> = {}, input?: Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DOTENV_CONFIG_QUIET: 'true', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

const GOOD = 2300;

/** An NDJSON file of GOOD valid events with bad lines at known numbers; returns its bytes. */
function ndjson(): Buffer {
  const lines: Buffer[] = [];
  for (let i = 0; i < GOOD; i++) {
    const e = { id: `cli-${i}`, type: 'ticket.message', occurredAt: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(), accountId: `acct-${i % 7}`, ticketId: `t-${i % 50}`, author: 'customer', text: `message ${i} é` };
    lines.push(Buffer.from(JSON.stringify(e)));
    if (i === 3) lines.push(Buffer.from('{"id": "broken",')); // line 5
    if (i === 10) lines.push(Buffer.from(JSON.stringify({ ...e, id: 'bad-date', occurredAt: 'soon' }))); // line 13
    if (i === 20) lines.push(Buffer.from('')); // line 24: blank, skipped
    if (i === 30) lines.push(Buffer.concat([Buffer.from('{"id":"x","text":"'), Buffer.from([0xff]), Buffer.from('"}')])); // line 35
    if (i === 40) lines.push(Buffer.from(JSON.stringify({ ...e, id: 'bad-type', type: 'ticket.teleported' }))); // line 46
  }
  return Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
}

function expectRejectedLines(stderr: string): void {
  expect(stderr).toMatch(/^line 5: \(line\): invalid JSON: /m);
  expect(stderr).toContain('line 13: occurredAt: expected ISO-8601 date, got "soon"\n');
  expect(stderr).toContain('line 35: (line): not valid UTF-8\n');
  expect(stderr).toMatch(/^line 46: type: unknown event type "ticket.teleported"/m);
  expect(stderr).not.toMatch(/^line 24:/m);
  const order = [...stderr.matchAll(/^line (\d+):/gm)].map((m) => Number(m[1]));
  expect(order).toEqual([5, 13, 35, 46]);
}

describe('vigil ingest', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-ingest-'));
    file = join(dir, 'events.ndjson');
    writeFileSync(file, ndjson());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints help and exits 0', async () => {
    const r = await runCli(['ingest', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: vigil ingest');
    expect(r.stdout).toContain('--url');
  });

  it('refuses with exit 2 when only the embedded store is configured', async () => {
    const r = await runCli(['ingest', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vigil: ingest: no MongoDB configured .*would lose the events/);
  });

  it('exits 2 naming a file it cannot read', async () => {
    const r = await runCli(['ingest', join(dir, 'missing.ndjson'), '--url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.ndjson');
  });

  it.skipIf(!mongoUri)('writes into the MongoDB event log, reports bad lines by number, and takes nothing twice', async () => {
    const database = uniqueDatabase('ingest');
    const env = { MONGODB_URI: mongoUri!, VIGIL_STORE__DATABASE: database };
    const r = await runCli(['ingest', file, '--batch', '500'], env);
    expect(r.stderr).toContain('ingest: ');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ lines: GOOD + 5, accepted: GOOD, duplicates: 0, rejected: 4 });
    expectRejectedLines(r.stderr);
    const again = await runCli(['ingest', '-', '--quiet'], env, ndjson());
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ lines: GOOD + 5, accepted: 0, duplicates: GOOD, rejected: 4 });
    const store = createMongoStore({ mongoUri: mongoUri!, database, writeRetries: 1, retryBaseMs: 10 }, silentLogger());
    await store.init();
    try {
      const log = new EventLog(store);
      expect(await log.count()).toBe(GOOD);
      const first = (await log.readAfter(0, 2)).slice(0, 2);
      expect(first.map((e) => [e.id, e.seq - first[0]!.seq])).toEqual([
        ['cli-0', 0],
        ['cli-1', 1],
      ]);
      expect(first[0]!.text).toBe('message 0 é');
    } finally {
      await store.close();
    }
  });

  it('exits 1 when the database cannot be reached', async () => {
    const r = await runCli(['ingest', file], { MONGODB_URI: 'mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^vigil: cannot connect to MongoDB/m);
  });

  describe('with --url', () => {
    const store = createMemoryStore();
    const log = new EventLog(store);
    const config = loadConfig({ env: {}, overrides: { server: { tokens: [{ token: TOKEN, scopes: ['write'] }], maxBatchEvents: 300 } } });
    const app = buildServer({ config, store, logger: silentLogger(), registry: new Registry(), eventLog: log });
    let url = '';
    beforeAll(async () => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const addr = app.server.address();
      url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    });
    afterAll(() => app.close());

    it('posts batches to the daemon and maps its per-item errors to line numbers', async () => {
      const r = await runCli(['ingest', file, '--url', url, '--batch', '250'], { VIGIL_TOKEN: TOKEN });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ lines: GOOD + 5, accepted: GOOD, duplicates: 0, rejected: 4 });
      expectRejectedLines(r.stderr);
      expect(await log.count()).toBe(GOOD);
    });

    it('exits 1 with the server message on a wrong token', async () => {
      const r = await runCli(['ingest', file, '--url', url, '--token', 'x'.repeat(24)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/answered 401: unknown token/);
    });
  });
});
