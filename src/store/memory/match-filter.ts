// Filter matching and value ordering for the embedded store, following MongoDB's rules for the
// subset of operators the repository interface allows, so both stores answer queries alike.
import type { FieldCondition, Filter, Scalar } from '../repository.js';

type Rec = Record<string, unknown>;

/** MongoDB's cross-type sort order: missing/null < numbers < strings < objects < arrays < booleans < dates. */
function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  if (v instanceof Date) return 9;
  if (Array.isArray(v)) return 5;
  if (typeof v === 'object') return 4;
  if (typeof v === 'boolean') return 8;
  return 10;
}

/** Total order over stored values, as MongoDB sorts them (objects and arrays by their JSON). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 1:
      return 0;
    case 2:
      return (a as number) - (b as number);
    case 3:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 8:
      return Number(a) - Number(b);
    case 9:
      return (a as Date).getTime() - (b as Date).getTime();
    default: {
      const sa = JSON.stringify(a);
      const sb = JSON.stringify(b);
      return sa < sb ? -1 : sa > sb ? 1 : 0;
    }
  }
}

function sameBracket(a: unknown, b: unknown): boolean {
  return typeRank(a) === typeRank(b);
}

function equalsScalar(value: unknown, want: Scalar): boolean {
  if (want === null) return value === null || value === undefined;
  if (Array.isArray(value)) return value.some((v) => v === want);
  return value === want;
}

function inList(value: unknown, list: readonly Scalar[]): boolean {
  for (const w of list) if (equalsScalar(value, w)) return true;
  return false;
}

function isOperatorObject(c: FieldCondition): c is Exclude<FieldCondition, Scalar> {
  return typeof c === 'object' && c !== null;
}

// The range tests, made once: a filter is matched against every candidate of a scan.
const ABOVE = (c: number) => c > 0;
const AT_LEAST = (c: number) => c >= 0;
const BELOW = (c: number) => c < 0;
const AT_MOST = (c: number) => c <= 0;

function rangeHolds(value: unknown, bound: number | string, test: (cmp: number) => boolean): boolean {
  // MongoDB compares only within a type bracket: `{ $gt: 5 }` never matches a string.
  if (!Array.isArray(value)) return sameBracket(value, bound) && test(compareValues(value, bound));
  return value.some((v) => sameBracket(v, bound) && test(compareValues(v, bound)));
}

export function matchesCondition(value: unknown, cond: FieldCondition): boolean {
  if (!isOperatorObject(cond)) return equalsScalar(value, cond);
  if (cond.$exists !== undefined && (value !== undefined) !== cond.$exists) return false;
  if (cond.$in !== undefined && !inList(value, cond.$in)) return false;
  if (cond.$ne !== undefined && equalsScalar(value, cond.$ne)) return false;
  if (cond.$gt !== undefined && !rangeHolds(value, cond.$gt, ABOVE)) return false;
  if (cond.$gte !== undefined && !rangeHolds(value, cond.$gte, AT_LEAST)) return false;
  if (cond.$lt !== undefined && !rangeHolds(value, cond.$lt, BELOW)) return false;
  if (cond.$lte !== undefined && !rangeHolds(value, cond.$lte, AT_MOST)) return false;
  return true;
}

export function matchesFilter(doc: Rec, filter: Filter | undefined): boolean {
  if (!filter) return true;
  for (const field in filter) {
    if (!matchesCondition(doc[field], filter[field]!)) return false;
  }
  return true;
}

/** Comparator for a sort specification; equal keys keep their existing order (Array.sort is stable). */
export function sortComparator(sort: Array<[string, 1 | -1]>): (a: Rec, b: Rec) => number {
  return (a, b) => {
    for (const [field, dir] of sort) {
      const c = compareValues(a[field], b[field]);
      if (c !== 0) return c * dir;
    }
    return 0;
  };
}
