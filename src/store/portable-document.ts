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

function join(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

function copy(value: unknown, path: string, insideArray: boolean): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      if (value.includes('\0')) throw new UnportableDocumentError(path, 'string contains a NUL character');
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new UnportableDocumentError(path, `number ${value} is not finite`);
      return value;
    case 'boolean':
      return value;
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new UnportableDocumentError(path, `${typeof value} cannot be stored`);
    case 'undefined':
      return undefined;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new UnportableDocumentError(path, 'invalid Date');
    return new Date(value.getTime());
  }
  if (Array.isArray(value)) {
    if (insideArray) throw new UnportableDocumentError(path, 'array inside an array (FerretDB refuses nested arrays)');
    // undefined inside an array would become null in BSON; keep the two stores alike
    return value.map((v, i) => (v === undefined ? null : copy(v, join(path, i), true)));
  }
  if (value instanceof Uint8Array) return new Uint8Array(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value as object)) {
    if (key.includes('.') || key.startsWith('$')) throw new UnportableDocumentError(join(path, key), 'keys may not contain "." or start with "$"');
    const v = copy((value as Record<string, unknown>)[key], join(path, key), false);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** A deep copy without `undefined` fields; throws UnportableDocumentError on what a store refuses. */
export function toPortable<T extends object>(doc: T): T {
  return copy(doc, '', false) as T;
}

/** Checks one field value the same way (for `$set` values of an update). */
export function portableValue(value: unknown, path: string): unknown {
  return copy(value, path, false);
}
