// The account health answer (GET /v1/accounts/:id/health) as UTF-8 JSON bytes, written straight from
// the stored documents: no answer object, no JSON string, no copies of the documents it reshapes.
import type { Account } from '../events/types.js';
import type { Store } from '../store/repository.js';
import { lendsDocuments } from '../store/memory/memory-store.js';
import type { HealthDoc, IncidentDoc } from '../pipeline/findings-writer.js';
import type { RecentTicket } from '../pipeline/engine-set.js';
import { redact } from '../alerts/redact.js';
import { JsonBytes } from './json-bytes.js';
import { DAY_FIELDS, HistoryWindows, endDayIndex, firstDayIndex, inMonthOrder, type HistoryWindow } from './history-window.js';

export interface HealthAnswerOptions {
  /** Whether IP addresses are redacted in the recent messages shown. */
  redactIps: boolean;
  /** Days of history in the answer. */
  historyDays: number;
}

export interface HistoryMonthDoc {
  _id: string;
  accountId: string;
  month: string;
  [day: string]: unknown;
}

type AccountDoc = Account & { _id: string };
interface AccountStateDoc {
  _id: string;
  recentErrors?: Array<{ clusterId: string; at: number }>;
  recentTickets?: RecentTicket[];
}
interface ClusterDoc {
  _id: string;
  template: string;
}

/** What an answer is written from: read (lent or copied) before the first byte is written. */
interface AnswerParts {
  id: string;
  health: Readonly<HealthDoc>;
  account: Readonly<AccountDoc> | null;
  state: Readonly<AccountStateDoc> | null;
  /** The history months of the window that exist, oldest first. */
  months: ReadonlyArray<Readonly<HistoryMonthDoc>>;
  window: HistoryWindow;
  templates: { get(clusterId: string): string | undefined };
  incidents: ReadonlyArray<Readonly<IncidentDoc>>;
}

/**
 * The fields the answer adds to the health document's own, in this order after them (or in the
 * health document's place for one of the same name, as Object.assign onto its copy would put them).
 */
const ADDED = ['account', 'history', 'recentTickets', 'recentErrors', 'openIncidents'] as const;
type Added = (typeof ADDED)[number];
const ALL_ADDED = (1 << ADDED.length) - 1;

/** The bit of an added field (its place in ADDED), 0 for another name. */
function addedBit(name: string): number {
  const i = (ADDED as readonly string[]).indexOf(name);
  return i < 0 ? 0 : 1 << i;
}

/** The writer's buffer to start with: most answers fit (it doubles for a larger one and stays so). */
const INITIAL_ANSWER_BYTES = 64 * 1024;

export interface HealthAnswers {
  /** The answer for account `id`, or null when it has no health document. */
  answer(id: string): Promise<Buffer | null>;
  /**
   * The same, at once, from a store that lends its documents (no promise); undefined from another
   * store (use `answer`).
   */
  answerLent(id: string): Buffer | null | undefined;
}

export function healthAnswers(store: Store, opts: HealthAnswerOptions): HealthAnswers {
  const windows = new HistoryWindows(opts.historyDays);
  const out = new JsonBytes(INITIAL_ANSWER_BYTES);
  const redactOpts = { ips: opts.redactIps };
  // the lent path's lists, reused: an answer is written from them before the next one is read
  const lentMonths: Array<Readonly<HistoryMonthDoc>> = [];
  const lentIncidents: Array<Readonly<IncidentDoc>> = [];
  const lentTemplates = {
    get: (clusterId: string): string | undefined => {
      const clusters = store.collection<ClusterDoc>('clusters');
      return lendsDocuments(clusters) ? clusters.peek(clusterId)?.template : undefined;
    },
  };

  /**
   * The stored documents themselves, where every collection read lends them (the embedded store:
   * frozen, never changed in place): read in one go, without a promise or a copy per read.
   */
  function lentParts(id: string): AnswerParts | null | undefined {
    const health = store.collection<HealthDoc>('health');
    const accounts = store.collection<AccountDoc>('accounts');
    const states = store.collection<AccountStateDoc>('accountStates');
    const history = store.collection<HistoryMonthDoc>('healthHistory');
    const clusters = store.collection<ClusterDoc>('clusters');
    const incidentColl = store.collection<IncidentDoc>('incidents');
    if (!lendsDocuments(health) || !lendsDocuments(accounts) || !lendsDocuments(states) || !lendsDocuments(history) || !lendsDocuments(clusters) || !lendsDocuments(incidentColl)) return undefined;
    const h = health.peek(id);
    if (!h) return null;
    const window = windows.endingAt(h.updatedAt);
    const months = lentMonths;
    months.length = 0;
    for (const m of window.months) {
      const d = history.peek(`${id}|${m}`);
      if (d) months.push(d);
    }
    const incidents = lentIncidents;
    incidents.length = 0;
    const open = h.openIncidents;
    if (open) for (let i = 0; i < open.length; i++) {
      const d = incidentColl.peek(open[i]!);
      if (d) incidents.push(d);
    }
    return { id, health: h, account: accounts.peek(id), state: states.peek(id), months: inMonthOrder(months), window, templates: lentTemplates, incidents };
  }

  /** Copies, from a store that only reads so (MongoDB). */
  async function copiedParts(id: string): Promise<AnswerParts | null> {
    const [h, account, state] = await Promise.all([
      store.collection<HealthDoc>('health').get(id),
      store.collection<AccountDoc>('accounts').get(id),
      store.collection<AccountStateDoc>('accountStates').get(id),
    ]);
    if (!h) return null;
    const window = windows.endingAt(h.updatedAt);
    const errors = state?.recentErrors ?? [];
    const [months, clusterDocs, incidents] = await Promise.all([
      store.collection<HistoryMonthDoc>('healthHistory').getMany(window.months.map((m) => `${id}|${m}`)),
      store.collection<ClusterDoc>('clusters').getMany([...new Set(errors.map((e) => e.clusterId))]),
      h.openIncidents?.length ? store.collection<IncidentDoc>('incidents').getMany([...h.openIncidents]) : [],
    ]);
    return { id, health: h, account, state, months: inMonthOrder(months), window, templates: new Map(clusterDocs.map((c) => [c._id, c.template])), incidents };
  }

  function write(p: AnswerParts): Buffer {
    const w = out.reset().openObject();
    const h = p.health as unknown as Record<string, unknown>;
    let written = 0;
    for (const k in h) {
      if (k === '_id') continue;
      const bit = addedBit(k);
      if (bit) {
        addedField(w, k as Added, p);
        written |= bit;
      } else w.field(k, h[k]);
    }
    if (written !== ALL_ADDED) for (const k of ADDED) if (!(written & addedBit(k))) addedField(w, k, p);
    return w.closeObject().take();
  }

  function addedField(w: JsonBytes, k: Added, p: AnswerParts): void {
    w.key(k);
    switch (k) {
      case 'account':
        return writeAccount(w, p.account);
      case 'history':
        return writeHistory(w, p);
      case 'recentTickets':
        return writeTickets(w, p.state?.recentTickets ?? []);
      case 'recentErrors': {
        const errors = p.state?.recentErrors ?? [];
        w.openArray();
        // newest first
        for (let i = errors.length - 1; i >= 0; i--) {
          const e = errors[i]!;
          w.openObject()
            .field('clusterId', e.clusterId)
            .field('template', p.templates.get(e.clusterId) ?? '')
            .field('at', e.at)
            .closeObject();
        }
        return void w.closeArray();
      }
      case 'openIncidents':
        w.openArray();
        for (const i of p.incidents) w.openObject().field('id', i._id).field('template', i.template).closeObject();
        return void w.closeArray();
    }
  }

  /** The account document without `_id` (the answer's `{ ...account, _id: undefined }`), or null. */
  function writeAccount(w: JsonBytes, account: Readonly<AccountDoc> | null): void {
    if (!account) return void w.value(null);
    const fields: unknown = account;
    if (!isPlainObject(fields)) return void w.value({ ...account, _id: undefined });
    w.openObject();
    for (const k in fields) if (k !== '_id') w.field(k, fields[k]);
    w.closeObject();
  }

  function writeHistory(w: JsonBytes, p: AnswerParts): void {
    w.openArray();
    for (const doc of p.months) {
      // a month document is the account's by its accountId field, not only by its _id
      if (doc.accountId !== p.id) continue;
      const to = endDayIndex(p.window, doc.month);
      for (let i = firstDayIndex(p.window, doc.month); i < to; i++) {
        const { field, suffix } = DAY_FIELDS[i]!;
        const point = doc[field];
        if (!point) continue;
        if (isSimplePoint(point)) {
          // `{ day, ...point }`
          w.openObject().key('day').joined(doc.month, suffix);
          for (const k in point) w.field(k, point[k]);
          w.closeObject();
        } else w.value({ day: doc.month + suffix, ...(point as object) });
      }
    }
    w.closeArray();
  }

  function writeTickets(w: JsonBytes, tickets: readonly RecentTicket[]): void {
    w.openArray();
    // newest first, each with its text redacted again here (the redaction settings may have changed since it was stored)
    for (let i = tickets.length - 1; i >= 0; i--) {
      const t = tickets[i]!;
      const text = redact(t.text, redactOpts);
      if (!isPlainObject(t)) {
        w.value({ ...t, text });
        continue;
      }
      w.openObject();
      const fields = t as unknown as Record<string, unknown>;
      for (const k in fields) {
        if (k === 'text') w.key('text').string(text);
        else w.field(k, fields[k]);
      }
      if (!Object.hasOwn(t, 'text')) w.key('text').string(text);
      w.closeObject();
    }
    w.closeArray();
  }

  function answerLent(id: string): Buffer | null | undefined {
    const lent = lentParts(id);
    if (lent === undefined) return undefined;
    const body = lent && write(lent);
    // the reused lists let go of the documents they lent
    lentMonths.length = 0;
    lentIncidents.length = 0;
    return body;
  }

  return {
    answerLent,
    async answer(id: string): Promise<Buffer | null> {
      const lent = answerLent(id);
      if (lent !== undefined) return lent;
      const parts = await copiedParts(id);
      return parts && write(parts);
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A history point that `{ day, ...point }` writes as `day` then the point's fields in their order:
 * a plain object without a `day` of its own and without array-index keys (which would come first).
 */
function isSimplePoint(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v) || Object.hasOwn(v, 'day')) return false;
  for (const k in v) {
    const c = k.charCodeAt(0);
    // index keys are enumerated first: the first key tells whether there are any
    return !(c >= 0x30 && c <= 0x39);
  }
  return true;
}
