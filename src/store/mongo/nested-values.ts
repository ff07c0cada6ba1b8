// Stores a document's nested values (sub-documents, arrays of them) as one JSON string each, and
// reads them back: FerretDB's SQLite backend parses every stored document, type schema included, per scan.
//
// FerretDB 1.24 keeps each document as JSON with a type schema beside every value (an array of 20
// small objects carries 20 copies of their schema), and any write or `_id` lookup parses the
// documents of the collection one by one. A nested value kept as one string is one token to that
// parser, so scans cost a fraction. Only top-level fields are ever packed, and only values a
// repository filter cannot look into (filters compare top-level fields with scalars; an array of
// scalars stays an array, so "array contains" still matches). Sorting on a packed field is not
// meaningful, and the repository sorts on scalar fields only.

/**
 * Starts a packed value. toPortable refuses NUL in any stored string, so no string written through
 * the store can be mistaken for a packed value.
 */
const MARK = '\u0000';
const MARK_CODE = 0;

function isSubDocument(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

/** A value JSON gives back exactly: no Dates or byte arrays anywhere inside (those stay native). */
function plainJson(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (v instanceof Date || v instanceof Uint8Array) return false;
  if (Array.isArray(v)) {
    for (const e of v) if (!plainJson(e)) return false;
    return true;
  }
  for (const k in v as Record<string, unknown>) if (!plainJson((v as Record<string, unknown>)[k])) return false;
  return true;
}

/** True for a value no scalar filter condition can match inside: a sub-document or a non-empty array of them. */
function packable(v: unknown): boolean {
  if (isSubDocument(v)) return true;
  if (!Array.isArray(v) || v.length === 0) return false;
  for (const e of v) if (!isSubDocument(e)) return false;
  return true;
}

/** The value as stored: a packable value becomes one marked JSON string; anything else is unchanged. */
export function packValue(v: unknown): unknown {
  return packable(v) && plainJson(v) ? MARK + JSON.stringify(v) : v;
}

/** The document as stored, its packable top-level fields packed (a new object; `doc` is unchanged). */
export function packDocument<D extends Record<string, unknown>>(doc: D): D {
  const out: Record<string, unknown> = {};
  for (const k in doc) out[k] = k === '_id' ? doc[k] : packValue(doc[k]);
  return out as D;
}

/** The document as written, its packed fields read back (in place: `doc` is a fresh read). */
export function unpackDocument<D>(doc: D): D {
  if (doc === null || typeof doc !== 'object') return doc;
  const rec = doc as Record<string, unknown>;
  for (const k in rec) {
    const v = rec[k];
    if (typeof v === 'string' && v.charCodeAt(0) === MARK_CODE) rec[k] = JSON.parse(v.slice(1));
  }
  return doc;
}
