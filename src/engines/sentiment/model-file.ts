// Loads the shipped sentiment weights (models/sentiment/model.json, found from this package's root)
// and builds a ready analyzer. The only file I/O of the sentiment engine; never touches the network.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import type { SentimentConfig } from './config.js';
import { SentimentAnalyzer } from './analyzer.js';
import { sentimentModelSchema, type SentimentModel } from './sentiment-model.js';

export const SHIPPED_MODEL_RELATIVE = join('models', 'sentiment', 'model.json');

/** The package root: the nearest folder above this module holding package.json (works from src/ and dist/src/). */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export class SentimentModelError extends Error {
  readonly code = 'SENTIMENT_MODEL_INVALID';
  constructor(readonly path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'SentimentModelError';
  }
}

/**
 * Reads trained weights. With no path, the shipped file; returns undefined when that file is absent
 * (the analyzer then uses its lexicon defaults). A file that exists but is malformed throws
 * SentimentModelError naming the path and the reason.
 */
export function loadSentimentModel(path?: string): SentimentModel | undefined {
  let file = path;
  if (!file) {
    const root = packageRoot();
    if (!root) return undefined;
    file = join(root, SHIPPED_MODEL_RELATIVE);
    if (!existsSync(file)) return undefined;
  }
  file = resolve(file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SentimentModelError(file, err instanceof Error ? err.message : String(err));
  }
  const parsed = sentimentModelSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SentimentModelError(file, `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** An analyzer with the configured (or shipped) weights. */
export function createSentimentAnalyzer(cfg: SentimentConfig): SentimentAnalyzer {
  return new SentimentAnalyzer(cfg, loadSentimentModel(cfg.modelPath || undefined));
}
