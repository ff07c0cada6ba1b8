// Checks that a document fits what both MongoDB and FerretDB store, and makes the stored copy.
// Both stores call it, so code that works on the embedded store cannot break on FerretDB later.

/** A document that one of the databases would refuse or silently change; names the path and why. */
export class UnportableDocumentError extends Error {
  readonly code = 'UNPORTABLE_DOCUMENT';
  constructor(readonly path: string, readonly reason: string) {
    super(`document field ${path || '(root)'}: ${reason}`);
    this.name = 'UnportableDocumentError';
  }
}

/**
 * Where a value sits, as a linked list of keys: the dotted path string is only built when a
 * document is refused, so copying a valid document allocates nothing but the copy (a hot path).
 */
interface PathNode {
  parent: PathNode | null;
  key: string | number;
}

function pathOf(node: PathNode | null): string {
  const keys: Array<string | number> = [];
  for (let n = node; n; n = n.parent) keys.push(n.key);
  return keys.reverse().join('.');
}

function fail(node: PathNode | null, key: string | number | null, reason: string): never {
  throw new UnportableDocumentError(pathOf(key === null ? node : { parent: node, key }), reason);
}

/** Whether both databases store the key as it is: no "." in it, no "$" at its start. */
function storableKey(k: string): boolean {
  return !k.includes('.') && k.charCodeAt(0) !== 36 /* $ */;
}

/** Checks a scalar (or copies a nested value) at `parent`.`key`; null key: the value is at `parent`. */
function copy(value: unknown, parent: PathNode | null, key: string | number | null, insideArray: boolean): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      if (value.includes('\0')) fail(parent, key, 'string contains a NUL character');
      return value;
    case 'number':
      if (!Number.isFinite(value)) fail(parent, key, `number ${value} is not finite`);
      return value;
    case 'boolean':
      return value;
    case 'bigint':
    case 'function':
    case 'symbol':
      return fail(parent, key, `${typeof value} cannot be stored`);
    case 'undefined':
      return undefined;
  }
  const here = key === null ? parent : { parent, key };
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) fail(here, null, 'invalid Date');
    return new Date(value.getTime());
  }
  if (Array.isArray(value)) {
    if (insideArray) fail(here, null, 'array inside an array (FerretDB refuses nested arrays)');
    // undefined inside an array would become null in BSON; keep the two stores alike
    const n = value.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const v: unknown = value[i];
      out[i] = v === undefined ? null : copy(v, here, i, true);
    }
    return out;
  }
  if (value instanceof Uint8Array) return new Uint8Array(value);
  const out: Record<string, unknown> = {};
  const src = value as Record<string, unknown>;
  for (const k in src) {
    if (!Object.prototype.hasOwnProperty.call(src, k)) continue;
    if (!storableKey(k)) fail(here, k, 'keys may not contain "." or start with "$"');
    const v = copy(src[k], here, k, false);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * Whether the value can be stored as it is: false where the stored copy would differ from it (an
 * undefined field or array item, a Date, a byte array, a class instance) or where a store refuses
 * it (copy then names the path and why). Keeps no path on the way down: allocates nothing.
 */
function storableAsIs(value: unknown, insideArray: boolean): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
      return !value.includes('\0');
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (Array.isArray(value)) {
    if (insideArray) return false;
    const n = value.length;
    for (let i = 0; i < n; i++) if (!storableAsIs(value[i], true)) return false;
    return true;
  }
  return storableObject(value, undefined);
}

/**
 * storableAsIs of an object: plain, with storable keys and values. A field holding the very object
 * `stored` holds under that key (a document already stored as it is, so checked, and never changed
 * since) is not checked again: a month of history is rewritten with its earlier days' objects, one
 * new day at a time.
 */
function storableObject(value: object, stored: Record<string, unknown> | undefined): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const src = value as Record<string, unknown>;
  for (const k in src) {
    if (!Object.prototype.hasOwnProperty.call(src, k)) continue;
    if (!storableKey(k)) return false;
    const v = src[k];
    if (stored !== undefined && typeof v === 'object' && v !== null && v === stored[k]) continue;
    if (!storableAsIs(v, false)) return false;
  }
  return true;
}

/**
 * The document itself when it is already what toPortable would store (plain data, nothing
 * undefined), else toPortable's copy, or its UnportableDocumentError. For a caller that hands the
 * document over and never changes it again.
 */
export function adoptPortable<T extends object>(doc: T, stored?: object): T {
  return (stored ? storableObject(doc, stored as Record<string, unknown>) : storableAsIs(doc, false)) ? doc : toPortable(doc);
}

/** A deep copy without `undefined` fields; throws UnportableDocumentError on what a store refuses. */
export function toPortable<T extends object>(doc: T): T {
  return copy(doc, null, null, false) as T;
}

/** Checks one field value the same way (for `$set` values of an update). */
export function portableValue(value: unknown, path: string): unknown {
  return copy(value, path ? { parent: null, key: path } : null, null, false);
}

/**
 * A deep copy of a document that toPortable already made (plain objects, arrays, Dates, byte
 * arrays and scalars only): what structuredClone would give, at a fraction of its cost.
 */
export function clonePortable<T>(value: T): T {
  return cloneValue(value) as T;
}

function cloneValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const n = value.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = cloneValue(value[i]);
    return out;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Uint8Array) return new Uint8Array(value);
  const out: Record<string, unknown> = {};
  const src = value as Record<string, unknown>;
  for (const k in src) out[k] = cloneValue(src[k]);
  return out;
}
