// `vigil sentiment [--jsonl] < texts.txt`: scores one text per input line with the same analyzer the
// daemon uses, streaming stdin to stdout (one output line per input line, in order).
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { SentimentAnalyzer, type SentimentResult } from '../engines/sentiment/analyzer.js';
import { loadSentimentModel } from '../engines/sentiment/model-file.js';
import { RuntimeFailure } from './errors.js';

interface SentimentOptions {
  jsonl?: boolean;
  model?: string;
  config?: string;
}

// printed precision: four places of a compound is finer than any rater agrees; weights need less
const SCORE_PLACES = 4;
const WEIGHT_PLACES = 3;

const round = (x: number, places: number): number => {
  const f = 10 ** places;
  return Math.round(x * f) / f;
};

function formatJson(r: SentimentResult): string {
  return JSON.stringify({
    score: round(r.score, SCORE_PLACES),
    label: r.label,
    frustration: r.frustration,
    cues: r.cues,
    top: r.top.map((t) => ({ word: t.word, weight: round(t.weight, WEIGHT_PLACES) })),
  });
}

function formatTsv(r: SentimentResult): string {
  return `${round(r.score, SCORE_PLACES)}\t${r.label}\t${r.frustration ? 'frustrated' : '-'}\t${r.cues.join(',') || '-'}\t${r.top.map((t) => `${t.word}:${round(t.weight, WEIGHT_PLACES)}`).join(' ') || '-'}`;
}

async function runSentiment(opts: SentimentOptions): Promise<void> {
  const cfg = loadConfig(opts.config ? { file: opts.config } : {}).sentiment;
  const model = loadSentimentModel(opts.model ?? (cfg.modelPath || undefined));
  const analyzer = new SentimentAnalyzer(cfg, model);
  const format = opts.jsonl ? formatJson : formatTsv;
  // a line longer than the scored prefix is cut while reading, so a huge line never fills memory
  const keep = cfg.maxChars;
  let pending = '';
  let overlong = false;
  const out: string[] = [];
  const flush = async (): Promise<void> => {
    if (out.length === 0) return;
    const chunk = out.join('\n') + '\n';
    out.length = 0;
    if (!process.stdout.write(chunk)) await new Promise<void>((res) => process.stdout.once('drain', () => res()));
  };
  const emit = (line: string): void => {
    const text = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    out.push(format(analyzer.analyze(text)));
  };
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin as AsyncIterable<string>) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      emit(overlong ? pending : pending + chunk.slice(start, nl));
      pending = '';
      overlong = false;
      start = nl + 1;
    }
    if (!overlong) {
      pending += chunk.slice(start);
      if (pending.length > keep) {
        pending = pending.slice(0, keep);
        overlong = true;
      }
    }
    await flush();
  }
  if (pending.length > 0) emit(pending);
  await flush();
}

export function registerSentiment(program: Command): void {
  program
    .command('sentiment')
    .description('Score the sentiment of one text per stdin line: compound in [-1, 1], label, frustration, cues, top words.')
    .option('--jsonl', 'one JSON object per line: {"score","label","frustration","cues","top"} (default: tab-separated)')
    .option('--model <file>', 'trained weights to use instead of the shipped models/sentiment/model.json')
    .option('--config <file>', 'YAML configuration file (default: $VIGIL_CONFIG, else built-in defaults)')
    .action(async (opts: SentimentOptions) => {
      try {
        await runSentiment(opts);
      } catch (err) {
        if (err instanceof Error && err.name === 'SentimentModelError') throw new RuntimeFailure(err.message);
        throw err;
      }
    });
}
