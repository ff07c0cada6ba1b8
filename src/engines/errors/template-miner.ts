// Streaming template miner: masks a message, then finds or creates the cluster whose template
// (fixed words with <*> for variable positions) it fits, generalizing and merging as it learns.
//
// Method. After masking, a message is reduced to its skeleton (the words that are not wildcards)
// and the gaps between them where masked values sat. A variable run of masked values, of any
// length, is one gap, so "sent 0 bytes" and "sent 1190 bytes (1.16 KB)" share a skeleton.
// Clusters are bucketed by skeleton length and first word (Drain's insight: these almost never
// vary within one template). A message first tries an exact lookup of its masked text (the hot
// path), then compares its skeleton with the bucket's templates position by position; if enough
// fixed words agree (`similarity`) the differing ones become <*>. A template that generalizes
// may come to cover another template of its bucket: the two merge, and the younger id becomes an
// alias of the older one.
import type { ErrorsConfig } from './config.js';
import { compileMasks, maskMessage, masksFor, WILDCARD, type MaskSet } from './masks.js';
import { templateId } from './cluster-id.js';

export type MinerChange = 'created' | 'generalized' | 'merged' | 'none';

export interface MinerResult {
  clusterId: string;
  template: string;
  change: MinerChange;
  mergedIds?: string[];
}

export interface ClusterInfo {
  id: string;
  template: string;
  size: number;
  firstSeen: number;
  lastSeen: number;
}

interface Cluster {
  id: string;
  /** Creation order: the older of two merging clusters survives, so ids change as little as possible. */
  seq: number;
  bucket: string;
  /** Skeleton words; null where the template generalized to <*>. */
  words: Array<string | null>;
  /** gaps[i] is 1 when variable text may stand before words[i] (i = words.length: at the end). */
  gaps: Uint8Array;
  template: string;
  size: number;
  firstSeen: number;
  lastSeen: number;
  /** Masked texts that map straight to this cluster (the exact-match fast path). */
  keys: string[];
  /** Digit shapes of raw texts that map straight to this cluster (the path before masking). */
  shapes: string[];
  prev: Cluster | null;
  next: Cluster | null;
}

interface SnapshotCluster {
  id: string;
  seq: number;
  words: Array<string | null>;
  gaps: string;
  size: number;
  firstSeen: number;
  lastSeen: number;
  keys: string[];
  shapes: string[];
}

interface Snapshot {
  v: 1;
  seq: number;
  clock: number;
  clusters: SnapshotCluster[];
  aliases: Record<string, string>;
}

export class SnapshotError extends Error {
  readonly code = 'invalid_snapshot';
  constructor(reason: string) {
    super(`template miner snapshot: ${reason}`);
    this.name = 'SnapshotError';
  }
}

const LETTER = /\p{L}/u;
const DIGITS = /[0-9]/g;
const HAS_DIGIT = /[0-9]/;
const ENUM_VALUE = /^[A-Za-z_]+$/;

export class TemplateMiner {
  private readonly cfg: ErrorsConfig;
  private readonly masks: MaskSet;
  /** Whether the digit-shape fast path is sound for these masks (see add). */
  private readonly shapeCache: boolean;
  private readonly byKey = new Map<string, Cluster>();
  private readonly byShape = new Map<string, Cluster>();
  private readonly byId = new Map<string, Cluster>();
  private readonly buckets = new Map<string, Cluster[]>();
  private readonly aliases = new Map<string, string>();
  /** Least recently seen first: the eviction order. */
  private head: Cluster | null = null;
  private tail: Cluster | null = null;
  private seq = 0;
  /** Messages seen; stands in for time when the caller gives none. */
  private clock = 0;

  constructor(cfg: ErrorsConfig) {
    this.cfg = cfg;
    const masks = masksFor(cfg);
    this.masks = compileMasks(masks);
    this.shapeCache = masks.every((m) => digitAgnostic(m.pattern));
  }

  /** Masks `message` with this miner's masks (what the miner keys on). */
  mask(message: string): string {
    return maskMessage(message.length > this.cfg.maxMessageChars ? message.slice(0, this.cfg.maxMessageChars) : message, this.masks);
  }

  add(message: string, at?: number): MinerResult {
    this.clock++;
    const time = at ?? this.clock;
    const text = message.length > this.cfg.maxMessageChars ? message.slice(0, this.cfg.maxMessageChars) : message;
    // Hot path before masking: messages that differ only in the values of their digits mask alike
    // when no mask tells one digit from another, so a seen digit shape names its cluster directly.
    const shape = this.shapeCache ? text.replace(DIGITS, '0') : undefined;
    if (shape !== undefined) {
      const seen = this.byShape.get(shape);
      if (seen !== undefined) {
        this.touch(seen, time);
        return { clusterId: seen.id, template: seen.template, change: 'none' };
      }
    }
    const masked = maskMessage(text, this.masks);
    const hit = this.byKey.get(masked);
    let result: MinerResult;
    if (hit !== undefined) {
      this.touch(hit, time);
      result = { clusterId: hit.id, template: hit.template, change: 'none' };
    } else result = this.addSlow(masked, time);
    // Only a shape whose masked text kept no digit is safe to reuse: every digit went into a wildcard.
    if (shape !== undefined && !HAS_DIGIT.test(masked)) this.addShape(this.byId.get(result.clusterId)!, shape);
    return result;
  }

  /** Follows merge aliases to the id that is live (or was, if it has since been evicted). */
  resolve(id: string): string {
    let cur = id;
    // Chains are short (each merge adds one link); the bound guards against a corrupt snapshot cycle.
    for (let i = 0; i <= this.aliases.size; i++) {
      const next = this.aliases.get(cur);
      if (next === undefined) return cur;
      cur = next;
    }
    return cur;
  }

  get(id: string): ClusterInfo | undefined {
    const c = this.byId.get(this.resolve(id));
    return c === undefined ? undefined : info(c);
  }

  /** Live clusters, least recently seen first. */
  clusters(): ClusterInfo[] {
    const out: ClusterInfo[] = [];
    for (let c = this.head; c !== null; c = c.next) out.push(info(c));
    return out;
  }

  get size(): number {
    return this.byId.size;
  }

  snapshot(): string {
    const clusters: SnapshotCluster[] = [];
    for (let c = this.head; c !== null; c = c.next) {
      clusters.push({
        id: c.id,
        seq: c.seq,
        words: c.words,
        gaps: Array.from(c.gaps).join(''),
        size: c.size,
        firstSeen: c.firstSeen,
        lastSeen: c.lastSeen,
        keys: c.keys,
        shapes: c.shapes,
      });
    }
    const snap: Snapshot = { v: 1, seq: this.seq, clock: this.clock, clusters, aliases: Object.fromEntries(this.aliases) };
    return JSON.stringify(snap);
  }

  static restore(snapshot: string, cfg: ErrorsConfig): TemplateMiner {
    let snap: Snapshot;
    try {
      snap = JSON.parse(snapshot) as Snapshot;
    } catch (err) {
      throw new SnapshotError(err instanceof Error ? err.message : 'not JSON');
    }
    if (snap === null || typeof snap !== 'object' || snap.v !== 1 || !Array.isArray(snap.clusters)) {
      throw new SnapshotError('unknown format (expected v: 1 with clusters)');
    }
    const miner = new TemplateMiner(cfg);
    miner.seq = snap.seq;
    miner.clock = snap.clock;
    for (const s of snap.clusters) {
      if (typeof s.id !== 'string' || !Array.isArray(s.words) || s.words.length === 0 || typeof s.gaps !== 'string' || s.gaps.length !== s.words.length + 1) {
        throw new SnapshotError(`cluster ${String(s.id)} is malformed`);
      }
      const gaps = new Uint8Array(s.gaps.length);
      for (let i = 0; i < s.gaps.length; i++) gaps[i] = s.gaps.charCodeAt(i) === 49 ? 1 : 0;
      const c: Cluster = {
        id: s.id,
        seq: s.seq,
        bucket: bucketOf(s.words.length, s.words[0] ?? WILDCARD),
        words: s.words,
        gaps,
        template: render(s.words, gaps),
        size: s.size,
        firstSeen: s.firstSeen,
        lastSeen: s.lastSeen,
        keys: [],
        shapes: [],
        prev: null,
        next: null,
      };
      miner.insert(c);
      for (const k of s.keys) miner.addKey(c, k);
      for (const k of s.shapes ?? []) miner.addShape(c, k);
    }
    // Buckets are scanned newest first, so they must be in creation order, as they were when live.
    for (const bucket of miner.buckets.values()) bucket.sort((a, b) => a.seq - b.seq);
    for (const [from, to] of Object.entries(snap.aliases ?? {})) miner.aliases.set(from, to);
    return miner;
  }

  private addSlow(masked: string, time: number): MinerResult {
    const { words, gaps } = this.skeleton(masked);
    const bucketKey = bucketOf(words.length, words[0] ?? WILDCARD);
    const bucket = this.buckets.get(bucketKey);
    let best: Cluster | null = null;
    let bestScore = -1;
    let exact = false;
    if (bucket !== undefined) {
      // Newest first: recent templates are the likeliest to recur, and the scan is capped.
      const stop = Math.max(0, bucket.length - this.cfg.maxCandidates);
      for (let b = bucket.length - 1; b >= stop; b--) {
        const cand = bucket[b]!;
        let same = 0;
        let differ = 0;
        for (let i = 0; i < words.length; i++) {
          const w = cand.words[i];
          if (w === null) continue;
          if (w === words[i]) same++;
          else if (categorical(w, words[i]!)) {
            differ = -1;
            break;
          } else differ++;
        }
        if (differ < 0) continue;
        if (differ === 0) {
          best = cand;
          exact = true;
          break;
        }
        // Drain's similarity: agreeing fixed words over length; more fixed words break ties, so
        // a message prefers the most specific template it fits.
        const score = same / words.length;
        if (score > bestScore) {
          bestScore = score;
          best = cand;
        }
      }
    }
    if (best !== null && (exact || bestScore >= this.cfg.similarity)) {
      let changed = false;
      if (!exact) {
        for (let i = 0; i < words.length; i++) {
          if (best.words[i] !== null && best.words[i] !== words[i]) best.words[i] = null;
        }
        changed = true;
      }
      for (let i = 0; i < gaps.length; i++) {
        if (gaps[i] === 1 && best.gaps[i] === 0) {
          best.gaps[i] = 1;
          changed = true;
        }
      }
      this.touch(best, time);
      if (!changed) {
        this.addKey(best, masked);
        return { clusterId: best.id, template: best.template, change: 'none' };
      }
      best.template = render(best.words, best.gaps);
      const merged = exact ? [] : this.absorbCovered(best);
      const live = merged.length > 0 ? this.byId.get(this.resolve(best.id))! : best;
      this.addKey(live, masked);
      if (merged.length > 0) return { clusterId: live.id, template: live.template, change: 'merged', mergedIds: merged };
      return { clusterId: live.id, template: live.template, change: 'generalized' };
    }
    const created = this.create(words, gaps, bucketKey, time);
    this.addKey(created, masked);
    return { clusterId: created.id, template: created.template, change: 'created' };
  }

  /** Merges into one cluster every other template of `c`'s bucket that `c` now covers. Returns the absorbed ids. */
  private absorbCovered(c: Cluster): string[] {
    const bucket = this.buckets.get(c.bucket)!;
    const covered: Cluster[] = [];
    for (const d of bucket) {
      if (d === c) continue;
      let covers = true;
      for (let i = 0; i < c.words.length; i++) {
        const w = c.words[i];
        if (w !== null && w !== d.words[i]) {
          covers = false;
          break;
        }
      }
      if (covers) covered.push(d);
    }
    if (covered.length === 0) return [];
    // The oldest of the group survives, taking the most general pattern and every member's gaps.
    let survivor = c;
    for (const d of covered) if (d.seq < survivor.seq) survivor = d;
    const absorbed: string[] = [];
    for (const d of [c, ...covered]) {
      if (d === survivor) continue;
      for (let i = 0; i < d.gaps.length; i++) if (d.gaps[i] === 1) survivor.gaps[i] = 1;
      survivor.size += d.size;
      survivor.firstSeen = Math.min(survivor.firstSeen, d.firstSeen);
      survivor.lastSeen = Math.max(survivor.lastSeen, d.lastSeen);
      const { keys, shapes } = d;
      this.remove(d);
      for (const k of keys) this.addKey(survivor, k);
      for (const k of shapes) this.addShape(survivor, k);
      this.setAlias(d.id, survivor.id);
      absorbed.push(d.id);
    }
    survivor.words = c.words;
    survivor.template = render(survivor.words, survivor.gaps);
    this.moveToTail(survivor);
    return absorbed;
  }

  private create(words: string[], gaps: Uint8Array, bucketKey: string, time: number): Cluster {
    while (this.byId.size >= this.cfg.maxClusters && this.head !== null) this.remove(this.head);
    const template = render(words, gaps);
    const base = templateId(template);
    let id = base;
    // Equal hashes of different templates are vanishingly rare; a counted suffix keeps ids unique and deterministic.
    for (let n = 2; this.byId.has(id); n++) id = `${base}-${n}`;
    // An id that comes back to life is no longer an alias of anything.
    this.aliases.delete(id);
    const c: Cluster = {
      id,
      seq: ++this.seq,
      bucket: bucketKey,
      words: words.slice() as Array<string | null>,
      gaps,
      template,
      size: 1,
      firstSeen: time,
      lastSeen: time,
      keys: [],
      shapes: [],
      prev: null,
      next: null,
    };
    this.insert(c);
    return c;
  }

  private insert(c: Cluster): void {
    this.byId.set(c.id, c);
    const bucket = this.buckets.get(c.bucket);
    if (bucket === undefined) this.buckets.set(c.bucket, [c]);
    else bucket.push(c);
    c.prev = this.tail;
    c.next = null;
    if (this.tail !== null) this.tail.next = c;
    else this.head = c;
    this.tail = c;
  }

  private remove(c: Cluster): void {
    this.byId.delete(c.id);
    for (const k of c.keys) if (this.byKey.get(k) === c) this.byKey.delete(k);
    c.keys = [];
    for (const k of c.shapes) if (this.byShape.get(k) === c) this.byShape.delete(k);
    c.shapes = [];
    const bucket = this.buckets.get(c.bucket);
    if (bucket !== undefined) {
      const at = bucket.indexOf(c);
      if (at >= 0) bucket.splice(at, 1);
      if (bucket.length === 0) this.buckets.delete(c.bucket);
    }
    if (c.prev !== null) c.prev.next = c.next;
    else this.head = c.next;
    if (c.next !== null) c.next.prev = c.prev;
    else this.tail = c.prev;
    c.prev = c.next = null;
  }

  private touch(c: Cluster, time: number): void {
    c.size++;
    if (time > c.lastSeen) c.lastSeen = time;
    if (time < c.firstSeen) c.firstSeen = time;
    this.moveToTail(c);
  }

  private moveToTail(c: Cluster): void {
    if (this.tail === c) return;
    if (c.prev !== null) c.prev.next = c.next;
    else this.head = c.next;
    c.next!.prev = c.prev;
    c.prev = this.tail;
    c.next = null;
    this.tail!.next = c;
    this.tail = c;
  }

  private addKey(c: Cluster, key: string): void {
    if (c.keys.length >= this.cfg.maxKeysPerCluster || this.byKey.has(key)) return;
    this.byKey.set(key, c);
    c.keys.push(key);
  }

  private addShape(c: Cluster, shape: string): void {
    if (c.shapes.length >= this.cfg.maxKeysPerCluster || this.byShape.has(shape)) return;
    this.byShape.set(shape, c);
    c.shapes.push(shape);
  }

  private setAlias(from: string, to: string): void {
    this.aliases.set(from, to);
    if (this.aliases.size > this.cfg.maxAliases) {
      const oldest = this.aliases.keys().next().value;
      if (oldest !== undefined) this.aliases.delete(oldest);
    }
  }

  /** Splits masked text on whitespace into fixed words and the gaps where masked values stand. */
  private skeleton(masked: string): { words: string[]; gaps: Uint8Array } {
    const words: string[] = [];
    const gapAt: number[] = [];
    const max = this.cfg.maxTokens;
    let i = 0;
    const n = masked.length;
    while (i < n && words.length < max) {
      while (i < n && masked.charCodeAt(i) <= 32) i++;
      if (i >= n) break;
      const start = i;
      while (i < n && masked.charCodeAt(i) > 32) i++;
      const tok = masked.slice(start, i);
      // A token with no letters ("<*>", "(<*>)", "()", "-") carries no identity: it is a value or an empty one.
      if (!LETTER.test(tok.includes(WILDCARD) ? tok.replaceAll(WILDCARD, '') : tok)) gapAt.push(words.length);
      else words.push(tok);
    }
    // Text beyond the token cap is treated as a trailing variable part.
    if (i < n && masked.slice(i).trim() !== '') gapAt.push(words.length);
    if (words.length === 0) words.push(WILDCARD);
    const gaps = new Uint8Array(words.length + 1);
    for (const g of gapAt) gaps[Math.min(g, words.length)] = 1;
    return { words, gaps };
  }
}

/**
 * Two `key=word` tokens with the same key and different alphabetic values (user=root, user=guest)
 * name different events: numeric and id values are masked already, so what is left is an enum.
 */
function categorical(a: string, b: string): boolean {
  const eq = a.indexOf('=');
  if (eq <= 0 || eq === a.length - 1 || b.charCodeAt(eq) !== 61 || a.slice(0, eq) !== b.slice(0, eq)) return false;
  return ENUM_VALUE.test(a.slice(eq + 1)) && ENUM_VALUE.test(b.slice(eq + 1));
}

/**
 * True when a pattern cannot tell one ASCII digit from another: no literal digit outside a
 * character class or a {m,n} quantifier, and no back-reference. Then two texts equal up to digit
 * values are masked at the same places.
 */
export function digitAgnostic(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9k]/.test(next) && !inClass) return false;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      // A class holding some digits but not all of them tells digits apart.
      else if (/[0-9]/.test(c) && !(pattern.slice(i, i + 3) === '0-9')) return false;
      else if (pattern.slice(i, i + 3) === '0-9') i += 2;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '{') {
      const close = pattern.indexOf('}', i);
      if (close > i && /^\{\d+(?:,\d*)?\}$/.test(pattern.slice(i, close + 1))) i = close;
    } else if (/[0-9]/.test(c)) return false;
  }
  return true;
}

function bucketOf(length: number, first: string): string {
  return `${length} ${first}`;
}

function render(words: ReadonlyArray<string | null>, gaps: Uint8Array): string {
  let out = '';
  let lastWild = false;
  for (let i = 0; i <= words.length; i++) {
    if (gaps[i] === 1 && !lastWild) {
      out += out === '' ? WILDCARD : ` ${WILDCARD}`;
      lastWild = true;
    }
    if (i === words.length) break;
    const w = words[i] ?? WILDCARD;
    if (w === WILDCARD && lastWild) continue;
    out += out === '' ? w : ` ${w}`;
    lastWild = w === WILDCARD;
  }
  return out;
}

function info(c: Cluster): ClusterInfo {
  return { id: c.id, template: c.template, size: c.size, firstSeen: c.firstSeen, lastSeen: c.lastSeen };
}
