// Variable parts of error messages (ids, numbers, addresses, paths, times) as declarative data,
// compiled once into one regular expression that replaces each of them by the wildcard <*>.
import type { ErrorsConfig, MaskSpec } from './config.js';

export const WILDCARD = '<*>';

/**
 * Built-in masks, most specific first: at a given position the first pattern that matches wins,
 * so a UUID is not eaten piecewise by the hex and number masks.
 */
export const DEFAULT_MASKS: readonly MaskSpec[] = [
  { name: 'url', requires: ['://'], pattern: String.raw`\b[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+` },
  { name: 'email', requires: ['@'], pattern: String.raw`\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+` },
  { name: 'uuid', requires: ['-'], pattern: String.raw`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b` },
  {
    name: 'timestamp',
    pattern:
      String.raw`\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)?\b` +
      String.raw`|\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? +)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* +\d{1,2}(?:,? +\d{4})?(?: +\d{1,2}:\d\d(?::\d\d)?(?:[.,]\d+)?)?(?: +[A-Z]{3,4})?(?: +\d{4})?\b` +
      String.raw`|\b\d{1,2}:\d\d:\d\d(?:[.,]\d+)?\b`,
  },
  { name: 'host', requires: ['.'], pattern: String.raw`\b(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}:\d{1,5}\b|\b(?:[a-z0-9-]+\.){2,}[a-z]{2,6}\b(?![.(\w])` },
  { name: 'ipv4', requires: ['.'], pattern: String.raw`\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b` },
  { name: 'ipv6', requires: [':'], pattern: String.raw`\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b` },
  { name: 'path', requires: ['/', '\\'], pattern: String.raw`(?:\b[A-Za-z]:)?(?:[\\/][\w.@~$+-]+){2,}[\\/]?` },
  { name: 'quoted', requires: ['"', "'"], pattern: String.raw`"[^"\n]{0,120}"|(?<!\w)'[^'\n]{0,120}'(?!\w)` },
  { name: 'duration', pattern: String.raw`\b\d+(?:\.\d+)?\s?(?:ms|us|µs|ns|sec|secs|seconds?|mins?|minutes?|hours?|s|h)\b` },
  { name: 'size', pattern: String.raw`\b\d+(?:\.\d+)?\s?(?:[KMGT]i?B|bytes|B)\b` },
  { name: 'hex', pattern: String.raw`\b\d[xX][0-9a-fA-F]+\b|\b(?=[a-fA-F]*\d)[0-9a-fA-F]{8,}\b` },
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

/**
 * The masks compiled for speed: one alternation per combination of the `requires` hints a message
 * satisfies, so a message without "@" never pays for the e-mail pattern. Built lazily, cached.
 */
export class MaskSet {
  private readonly masks: readonly MaskSpec[];
  /** Distinct literals named by the hints, and for each mask the bits of the literals it needs (0: always on). */
  private readonly literals: string[] = [];
  private readonly needs: number[] = [];
  private readonly variants = new Map<number, RegExp>();

  constructor(masks: readonly MaskSpec[]) {
    for (const m of masks) validateMask(m);
    this.masks = masks;
    for (const m of masks) {
      let bits = 0;
      for (const lit of m.requires ?? []) {
        let at = this.literals.indexOf(lit);
        if (at < 0) at = this.literals.push(lit) - 1;
        bits |= 1 << at;
      }
      this.needs.push(bits);
    }
    if (this.literals.length > MAX_HINT_LITERALS) throw new MaskError('requires', `at most ${MAX_HINT_LITERALS} distinct hint literals`);
  }

  /** Replaces every variable part of `message` by <*>. */
  mask(message: string): string {
    let present = 0;
    for (let i = 0; i < this.literals.length; i++) if (message.includes(this.literals[i]!)) present |= 1 << i;
    let re = this.variants.get(present);
    if (re === undefined) {
      const on = this.masks.filter((_, i) => this.needs[i] === 0 || (this.needs[i]! & present) !== 0);
      re = on.length === 0 ? /(?!)/g : new RegExp(on.map((m) => `(?:${m.pattern})`).join('|'), 'g');
      this.variants.set(present, re);
    }
    return message.replace(re, WILDCARD);
  }
}

/** Hint literals are bits of a number; 24 leaves room and keeps the variant cache small in practice. */
const MAX_HINT_LITERALS = 24;

function validateMask(m: MaskSpec): void {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${m.pattern})$`);
  } catch (err) {
    throw new MaskError(m.name, err instanceof Error ? err.message : String(err));
  }
  // A mask that can match nothing would wildcard the void between every two characters.
  if (re.test('')) throw new MaskError(m.name, 'pattern matches the empty string');
}

/** The masks of `cfg`, compiled. Throws MaskError naming a pattern that does not compile. */
export function compileMasks(masks: readonly MaskSpec[]): MaskSet {
  return new MaskSet(masks);
}

/** Replaces every variable part of `message` by <*>. */
export function maskMessage(message: string, masks: MaskSet): string {
  return masks.mask(message);
}
