// Validates incoming events and accounts field by field, so each rejected item says which field
// was wrong and why ("occurredAt: expected ISO-8601 date"); the valid items of a batch go on.
import { AUTHORS, EVENT_TYPES, TIERS, type Account, type AccountOwner, type EventType, type FieldError, type VigilEvent } from './types.js';

export interface EventLimits {
  /** Longest `text` or `error` (config server.maxTextChars). */
  maxTextChars: number;
}

/**
 * Longest id, account, ticket, category, channel or tag accepted. Identifiers and labels are short
 * by nature; 512 leaves room for URLs or composite keys and keeps index entries small.
 */
export const MAX_KEY_CHARS = 512;
/** Most tags on one event; platforms attach a handful, and this bounds one event's index cost. */
export const MAX_TAGS = 100;

export type Problem = Omit<FieldError, 'index'>;
export type Validated<T> = { ok: true; value: T } | { ok: false; errors: Problem[] };

const EVENT_TYPE_SET = new Set<string>(EVENT_TYPES);
const AUTHOR_SET = new Set<string>(AUTHORS);
const TIER_SET = new Set<string>(TIERS);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** ISO-8601 date or date-time; a date-time without offset is read as UTC. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Epoch milliseconds of an ISO-8601 string, or null when it is not one (or names a day that does not exist). */
export function parseIsoDate(s: string): number | null {
  const m = ISO_8601.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMin = sign * (oh * 60 + om);
  }
  return Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(sec), ms) - offsetMin * 60_000;
}

/** Collects problems while reading fields of one object. */
class FieldReader {
  readonly errors: Problem[] = [];
  constructor(private readonly obj: Record<string, unknown>) {}

  fail(field: string, reason: string): undefined {
    this.errors.push({ field, reason });
    return undefined;
  }

  /** A string field; `required` rejects absence, null and ''. */
  string(field: string, required: boolean, maxChars: number, requiredWhy = 'required'): string | undefined {
    const v = this.obj[field];
    if (v === undefined || v === null) return required ? this.fail(field, requiredWhy) : undefined;
    if (typeof v !== 'string') return this.fail(field, `expected a string, got ${describe(v)}`);
    if (required && v.trim() === '') return this.fail(field, 'must not be empty');
    return checkString(this, field, v, maxChars);
  }

  oneOf<T extends string>(field: string, allowed: Set<string>, required: boolean, what: string): T | undefined {
    const v = this.obj[field];
    if (v === undefined || v === null) return required ? this.fail(field, 'required') : undefined;
    if (typeof v !== 'string') return this.fail(field, `expected a string, got ${describe(v)}`);
    if (!allowed.has(v)) return this.fail(field, `unknown ${what} ${JSON.stringify(v.slice(0, MAX_KEY_CHARS))} (expected one of ${[...allowed].join(', ')})`);
    return v as T;
  }
}

function checkString(r: FieldReader, field: string, v: string, maxChars: number): string | undefined {
  if (v.length > maxChars) return r.fail(field, `longer than ${maxChars} characters (${v.length})`);
  // the databases cannot store NUL inside a string
  if (v.includes('\0')) return r.fail(field, 'contains a NUL character');
  return v;
}

/** Validates one event as received (parsed JSON) and converts occurredAt to epoch milliseconds. */
export function validateEvent(raw: unknown, limits: EventLimits): Validated<VigilEvent> {
  if (!isPlainObject(raw)) return { ok: false, errors: [{ field: '(event)', reason: `expected a JSON object, got ${describe(raw)}` }] };
  const r = new FieldReader(raw);
  const id = r.string('id', true, MAX_KEY_CHARS);
  const type = r.oneOf<EventType>('type', EVENT_TYPE_SET, true, 'event type');
  let occurredAt: number | undefined;
  const at = raw.occurredAt;
  if (at === undefined || at === null) r.fail('occurredAt', 'required');
  else if (typeof at !== 'string') r.fail('occurredAt', `expected ISO-8601 date string, got ${describe(at)}`);
  else {
    const ms = parseIsoDate(at);
    if (ms === null) r.fail('occurredAt', `expected ISO-8601 date, got ${JSON.stringify(at.slice(0, 64))}`);
    else occurredAt = ms;
  }
  const accountId = r.string('accountId', true, MAX_KEY_CHARS);
  const ticketId = r.string('ticketId', type !== undefined && type !== 'error.reported', MAX_KEY_CHARS, `required for ${type ?? 'ticket events'}`);
  const author = r.oneOf<VigilEvent['author'] & string>('author', AUTHOR_SET, false, 'author');
  const text = r.string('text', false, limits.maxTextChars);
  const error = r.string('error', false, limits.maxTextChars);
  if (type === 'error.reported' && !error && !text && !r.errors.some((e) => e.field === 'error' || e.field === 'text')) {
    r.fail('error', 'required for error.reported (or give the message in text)');
  }
  let csat: number | undefined;
  const c = raw.csat;
  if (c === undefined || c === null) {
    if (type === 'ticket.csat') r.fail('csat', 'required for ticket.csat (an integer 1..5)');
  } else if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > 5) {
    r.fail('csat', `expected an integer 1..5, got ${typeof c === 'number' ? c : describe(c)}`);
  } else csat = c;
  const category = r.string('category', false, MAX_KEY_CHARS);
  const channel = r.string('channel', false, MAX_KEY_CHARS);
  let tags: string[] | undefined;
  const t = raw.tags;
  if (t !== undefined && t !== null) {
    if (!Array.isArray(t)) r.fail('tags', `expected an array of strings, got ${describe(t)}`);
    else if (t.length > MAX_TAGS) r.fail('tags', `more than ${MAX_TAGS} tags (${t.length})`);
    else {
      const bad = t.findIndex((x) => typeof x !== 'string');
      if (bad >= 0) r.fail(`tags[${bad}]`, `expected a string, got ${describe(t[bad])}`);
      else {
        const ok = t.every((x: string, i) => checkString(r, `tags[${i}]`, x, MAX_KEY_CHARS) !== undefined);
        if (ok) tags = t as string[];
      }
    }
  }
  if (r.errors.length > 0) return { ok: false, errors: r.errors };
  const event: VigilEvent = { id: id!, type: type!, occurredAt: occurredAt!, accountId: accountId! };
  if (ticketId !== undefined) event.ticketId = ticketId;
  if (author !== undefined) event.author = author;
  if (text !== undefined) event.text = text;
  if (error !== undefined) event.error = error;
  if (csat !== undefined) event.csat = csat;
  if (category !== undefined) event.category = category;
  if (channel !== undefined) event.channel = channel;
  if (tags !== undefined) event.tags = tags;
  return { ok: true, value: event };
}

/** Validates a batch: the valid events with their positions, and every problem with its index. */
export function validateEvents(items: readonly unknown[], limits: EventLimits): { events: VigilEvent[]; indexes: number[]; errors: FieldError[] } {
  const events: VigilEvent[] = [];
  const indexes: number[] = [];
  const errors: FieldError[] = [];
  items.forEach((item, index) => {
    const res = validateEvent(item, limits);
    if (res.ok) {
      events.push(res.value);
      indexes.push(index);
    } else for (const e of res.errors) errors.push({ index, ...e });
  });
  return { events, indexes, errors };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Validates an account. `pathId` is the id from the URL (PUT /v1/accounts/:id); a body accountId,
 * when given, must match it.
 */
export function validateAccount(raw: unknown, pathId?: string): Validated<Account> {
  if (!isPlainObject(raw)) return { ok: false, errors: [{ field: '(account)', reason: `expected a JSON object, got ${describe(raw)}` }] };
  const r = new FieldReader(raw);
  let accountId: string | undefined;
  if (pathId !== undefined) {
    if (pathId.trim() === '' || pathId.length > MAX_KEY_CHARS) r.fail('accountId', `the id in the path must be 1..${MAX_KEY_CHARS} characters`);
    else accountId = pathId;
    const body = raw.accountId;
    if (body !== undefined && body !== null && body !== pathId) r.fail('accountId', `does not match the id in the path (${JSON.stringify(pathId)})`);
  } else accountId = r.string('accountId', true, MAX_KEY_CHARS);
  const name = r.string('name', true, MAX_KEY_CHARS);
  const tier = r.oneOf<Account['tier']>('tier', TIER_SET, true, 'tier');
  let arr: number | undefined;
  if (raw.arr !== undefined && raw.arr !== null) {
    if (typeof raw.arr !== 'number' || !Number.isFinite(raw.arr) || raw.arr < 0) r.fail('arr', `expected a number >= 0, got ${typeof raw.arr === 'number' ? raw.arr : describe(raw.arr)}`);
    else arr = raw.arr;
  }
  let renewalDate: string | undefined;
  if (raw.renewalDate !== undefined && raw.renewalDate !== null) {
    const v = raw.renewalDate;
    if (typeof v !== 'string' || !DAY.test(v) || parseIsoDate(v) === null) r.fail('renewalDate', `expected a date YYYY-MM-DD, got ${typeof v === 'string' ? JSON.stringify(v.slice(0, 64)) : describe(v)}`);
    else renewalDate = v;
  }
  let churnRisk: boolean | undefined;
  if (raw.churnRisk !== undefined && raw.churnRisk !== null) {
    if (typeof raw.churnRisk !== 'boolean') r.fail('churnRisk', `expected true or false, got ${describe(raw.churnRisk)}`);
    else churnRisk = raw.churnRisk;
  }
  let owner: AccountOwner | undefined;
  if (raw.owner !== undefined && raw.owner !== null) {
    if (!isPlainObject(raw.owner)) r.fail('owner', `expected an object {name, slackUserId?}, got ${describe(raw.owner)}`);
    else {
      const o = new FieldReader(raw.owner);
      const oname = o.string('name', true, MAX_KEY_CHARS);
      const slackUserId = o.string('slackUserId', false, MAX_KEY_CHARS);
      for (const e of o.errors) r.fail(`owner.${e.field}`, e.reason);
      if (o.errors.length === 0) owner = slackUserId === undefined ? { name: oname! } : { name: oname!, slackUserId };
    }
  }
  if (r.errors.length > 0) return { ok: false, errors: r.errors };
  const account: Account = { accountId: accountId!, name: name!, tier: tier! };
  if (arr !== undefined) account.arr = arr;
  if (renewalDate !== undefined) account.renewalDate = renewalDate;
  if (churnRisk !== undefined) account.churnRisk = churnRisk;
  if (owner !== undefined) account.owner = owner;
  return { ok: true, value: account };
}
