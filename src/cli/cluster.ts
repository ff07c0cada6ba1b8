// `vigil cluster [--jsonl] < messages.txt`: mines templates from one message per line with the
// daemon's TemplateMiner, then prints each line's final cluster (after all merges), in order.
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { TemplateMiner } from '../engines/errors/template-miner.js';
import { RuntimeFailure } from './errors.js';

interface ClusterOptions {
  jsonl?: boolean;
  config?: string;
}

/** Output is written in pieces of about this many characters: few syscalls, bounded buffers. */
const WRITE_CHUNK_CHARS = 1 << 16;
/** How often a write blocked on back-pressure checks whether the reader has gone away. */
const BROKEN_PIPE_POLL_MS = 50;

export function registerCluster(program: Command): void {
  program
    .command('cluster')
    .description('cluster error messages (one per line on stdin); prints each line\'s cluster id and template, in input order')
    .option('--jsonl', 'print {"cluster": id, "template": template} per line (default: id<TAB>template)')
    .option('--config <file>', 'YAML config file (default: VIGIL_CONFIG or built-in defaults)')
    .action(async (opts: ClusterOptions) => {
      const cfg = loadConfig(opts.config ? { file: opts.config } : {});
      await runCluster(process.stdin, process.stdout, cfg.errors, opts.jsonl === true);
    });
}

export async function runCluster(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  errorsCfg: ConstructorParameters<typeof TemplateMiner>[0],
  jsonl: boolean,
): Promise<void> {
  const miner = new TemplateMiner(errorsCfg);
  const assigned: string[] = [];
  // Last template seen per id, for clusters evicted before the end of the input.
  const lastTemplate = new Map<string, string>();
  let rest = '';
  const take = (line: string): void => {
    const text = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    const r = miner.add(text);
    assigned.push(r.clusterId);
    if (r.change !== 'none') lastTemplate.set(r.clusterId, r.template);
  };
  input.setEncoding('utf8');
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      let start = 0;
      let nl = chunk.indexOf('\n');
      if (nl < 0) {
        rest += chunk;
        continue;
      }
      take(rest + chunk.slice(0, nl));
      rest = '';
      start = nl + 1;
      while ((nl = chunk.indexOf('\n', start)) >= 0) {
        take(chunk.slice(start, nl));
        start = nl + 1;
      }
      rest = chunk.slice(start);
    }
  } catch (err) {
    throw new RuntimeFailure(`reading stdin: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (rest !== '') take(rest);

  const state = { broken: false };
  // A reader that went away is not an error of ours: stop writing, exit quietly.
  output.on('error', () => {
    state.broken = true;
  });
  const lineFor = new Map<string, string>();
  let buf = '';
  for (const raw of assigned) {
    let line = lineFor.get(raw);
    if (line === undefined) {
      const id = miner.resolve(raw);
      const template = miner.get(id)?.template ?? lastTemplate.get(id) ?? lastTemplate.get(raw) ?? '';
      line = jsonl ? `${JSON.stringify({ cluster: id, template })}\n` : `${id}\t${template}\n`;
      lineFor.set(raw, line);
    }
    buf += line;
    if (buf.length >= WRITE_CHUNK_CHARS) {
      if (!(await write(output, buf, state))) return;
      buf = '';
    }
  }
  if (buf !== '') await write(output, buf, state);
}

/** Writes with back-pressure; resolves false once the reader has gone away (EPIPE, e.g. `| head`). */
function write(output: NodeJS.WritableStream, text: string, state: { broken: boolean }): Promise<boolean> {
  if (state.broken) return Promise.resolve(false);
  return new Promise((resolve) => {
    if (output.write(text)) resolve(!state.broken);
    else {
      const onDrain = (): void => {
        clearInterval(poll);
        resolve(!state.broken);
      };
      // A broken pipe never drains: notice it and stop waiting.
      const poll = setInterval(() => {
        if (state.broken) {
          output.removeListener('drain', onDrain);
          clearInterval(poll);
          resolve(false);
        }
      }, BROKEN_PIPE_POLL_MS);
      output.once('drain', onDrain);
    }
  });
}
