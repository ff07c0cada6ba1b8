// Variable parts of error messages (ids, numbers, addresses, paths, times) as declarative data,
// compiled once into one regular expression that replaces each of them by the wildcard <*>.
import type { ErrorsConfig, MaskSpec } from './config.js';

export const WILDCARD = '<*>';

/**
 * Built-in masks, most specific first: at a given position the first pattern that matches wins,
 * so a UUID is not eaten piecewise by the hex and number masks.
 */
export const DEFAULT_MASKS: readonly MaskSpec[] = [
  { name: 'url', pattern: String.raw`\b[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+` },
  { name: 'email', pattern: String.raw`\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+` },
  { name: 'uuid', pattern: String.raw`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b` },
  {
    name: 'timestamp',
    pattern:
      String.raw`\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)?\b` +
      String.raw`|\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? +)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* +\d{1,2}(?:,? +\d{4})?(?: +\d{1,2}:\d\d(?::\d\d)?(?:[.,]\d+)?)?(?: +[A-Z]{3,4})?(?: +\d{4})?\b` +
      String.raw`|\b\d{1,2}:\d\d:\d\d(?:[.,]\d+)?\b`,
  },
  { name: 'host', pattern: String.raw`\b(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}:\d{1,5}\b|\b(?:[a-z0-9-]+\.){2,}[a-z]{2,6}\b(?![.(\w])` },
  { name: 'ip', pattern: String.raw`\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b|\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b` },
  { name: 'path', pattern: String.raw`(?:\b[A-Za-z]:)?(?:[\\/][\w.@~$+-]+){2,}[\\/]?` },
  { name: 'quoted', pattern: String.raw`"[^"\n]{0,120}"|'[^'\n]{0,120}'` },
  { name: 'duration', pattern: String.raw`\b\d+(?:\.\d+)?\s?(?:ms|us|µs|ns|sec|secs|seconds?|mins?|minutes?|hours?|s|h)\b` },
  { name: 'size', pattern: String.raw`\b\d+(?:\.\d+)?\s?(?:[KMGT]i?B|bytes|B)\b` },
  { name: 'hex', pattern: String.raw`\b0[xX][0-9a-fA-F]+\b|\b(?=[a-fA-F]*\d)[0-9a-fA-F]{8,}\b` },
  { name: 'identifier', pattern: String.raw`\b[A-Za-z_][A-Za-z_-]*\d[\w-]*\b(?!=)|\b\d+[A-Za-z_][\w-]*\b` },
  { name: 'number', pattern: String.raw`[-+]?\b\d+(?:\.\d+)*\b` },
];

export class MaskError extends Error {
  readonly code = 'invalid_mask';
  constructor(readonly mask: string, reason: string) {
    super(`mask ${mask}: ${reason}`);
    this.name = 'MaskError';
  }
}

/** The masks in force: config extras first (they are the most specific), then the built-ins. */
export function masksFor(cfg: Pick<ErrorsConfig, 'extraMasks'>): MaskSpec[] {
  return [...cfg.extraMasks, ...DEFAULT_MASKS];
}

/** One alternation of all masks, in order; throws MaskError naming a pattern that does not compile. */
export function compileMasks(masks: readonly MaskSpec[]): RegExp {
  for (const m of masks) {
    try {
      new RegExp(m.pattern);
    } catch (err) {
      throw new MaskError(m.name, err instanceof Error ? err.message : String(err));
    }
    // A mask that can match nothing would loop over every position and wildcard the void.
    if (new RegExp(`^(?:${m.pattern})$`).test('')) throw new MaskError(m.name, 'pattern matches the empty string');
  }
  return new RegExp(masks.map((m) => `(?:${m.pattern})`).join('|'), 'g');
}

/** Replaces every variable part of `message` by <*>. */
export function maskMessage(message: string, masks: RegExp): string {
  return message.replace(masks, WILDCARD);
}
