// Field mapping for sources whose documents name things differently: turns one source document
// into a raw Vigil event (still to be validated) by config `Vigil field -> source path`. Pure.

/** The Vigil event fields a mapping may name (see VigilEvent). */
export const MAPPABLE_FIELDS = [
  'id',
  'type',
  'occurredAt',
  'accountId',
  'ticketId',
  'author',
  'text',
  'error',
  'csat',
  'category',
  'channel',
  'tags',
] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

/** Vigil field -> source field; the source side may be a dotted path (`customer.org.id`). */
export type FieldMapping = Record<string, string>;

/** A mapping that cannot be applied; `key` is the config key at fault. */
export class FieldMappingError extends Error {
  readonly code = 'FIELD_MAPPING';
  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message);
    this.name = 'FieldMappingError';
  }
}

const KNOWN = new Set<string>(MAPPABLE_FIELDS);
const ID_FIELDS = new Set<string>(['id', 'accountId', 'ticketId']);

/**
 * Check a mapping once, at start-up, so a typo is a clear error rather than events rejected one
 * by one. `configKey` prefixes the names in errors (e.g. `sources.mongo.mapping`).
 */
export function checkMapping(mapping: FieldMapping, configKey = 'mapping'): void {
  for (const [field, path] of Object.entries(mapping)) {
    const key = `${configKey}.${field}`;
    if (!KNOWN.has(field)) {
      throw new FieldMappingError(`${key}: "${field}" is not an event field (expected one of ${MAPPABLE_FIELDS.join(', ')})`, key);
    }
    if (typeof path !== 'string' || path.length === 0) throw new FieldMappingError(`${key}: the source field must be a non-empty string`, key);
    for (const part of path.split('.')) {
      if (part.length === 0) throw new FieldMappingError(`${key}: "${path}" has an empty segment`, key);
      if (part.startsWith('$')) throw new FieldMappingError(`${key}: "${path}": segments may not start with "$"`, key);
    }
  }
}

/** The value at a dotted path; numeric segments index arrays. Undefined when any step is missing. */
export function readPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(part)) return undefined;
      cur = cur[Number(part)];
    } else {
      // own properties only: a source field named like an Object.prototype member is not inherited junk
      if (!Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
      cur = (cur as Record<string, unknown>)[part];
    }
  }
  return cur;
}

/** BSON values the driver hands us, turned into what the event validator reads. */
function plainValue(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? v : v.toISOString();
  if (isObjectIdLike(v)) return v.toHexString();
  if (Array.isArray(v)) return v.map(plainValue);
  return v;
}

function isObjectIdLike(v: unknown): v is { toHexString(): string } {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as { _bsontype?: unknown })._bsontype === 'ObjectId' &&
    typeof (v as { toHexString?: unknown }).toHexString === 'function'
  );
}

/** A source `_id` as a string: the hex of an ObjectId, or the value itself. */
export function sourceIdString(id: unknown): string {
  if (isObjectIdLike(id)) return id.toHexString();
  if (typeof id === 'string') return id;
  return JSON.stringify(id) ?? String(id);
}

/**
 * One source document as a raw event: each Vigil field read from its mapped path (or the field of
 * the same name); the source `_id` is the event id unless `id` is mapped. Missing and null values
 * are left out, so the validator names them when they were required.
 */
export function mapSourceDocument(doc: Record<string, unknown>, mapping: FieldMapping): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of MAPPABLE_FIELDS) {
    const path = mapping[field];
    let value: unknown;
    if (path !== undefined) value = readPath(doc, path);
    else if (field === 'id') value = doc._id === undefined ? undefined : sourceIdString(doc._id);
    else value = readPath(doc, field);
    if (value === undefined || value === null) continue;
    // platforms often number their ids; a number is an unambiguous identifier, so take it as text
    if (typeof value === 'number' && ID_FIELDS.has(field) && Number.isSafeInteger(value)) value = String(value);
    out[field] = plainValue(value);
  }
  return out;
}
