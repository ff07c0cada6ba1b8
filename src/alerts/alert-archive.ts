// Finished alerts move from the working `alerts` collection to `alertArchive`, so the outbox's and
// the sender's reads and writes by id stay cheap (FerretDB scans the collection for each); reads see both.
import type { DocCollection, Filter, FindOptions, Store } from '../store/repository.js';
import type { AlertDoc, AlertStatus } from './alert-types.js';
import { sortComparator } from '../store/memory/match-filter.js';

/** Statuses an alert never leaves (see alert-index.ts): only these are archived, so both copies of one are alike. */
export const FINISHED: readonly AlertStatus[] = ['sent', 'failed', 'released', 'suppressed', 'superseded'];

export class AlertArchive {
  private readonly alerts: DocCollection<AlertDoc>;
  private readonly archive: DocCollection<AlertDoc>;

  constructor(store: Store) {
    this.alerts = store.collection<AlertDoc>('alerts');
    this.archive = store.collection<AlertDoc>('alertArchive');
  }

  /**
   * Moves the finished alerts enqueued before `before` (wall time) into the archive: copied first,
   * then removed from the working collection. A crash in between leaves an alert in both, alike
   * (finished alerts never change); readers take one copy and the next move removes the other.
   */
  async move(before: number): Promise<number> {
    const done = await this.alerts.find({ status: { $in: [...FINISHED] }, enqueuedAt: { $lt: before } });
    if (done.length === 0) return 0;
    await this.archive.insertNew(done);
    await this.alerts.deleteMany({ _id: { $in: done.map((d) => d._id) } });
    return done.length;
  }

  /** The alert wherever it is. */
  async get(id: string): Promise<AlertDoc | null> {
    return (await this.alerts.get(id)) ?? (await this.archive.get(id));
  }

  /** The alerts of `ids` wherever they are, in the order of `ids`; the archive is asked only for those not in the working collection. */
  async getMany(ids: string[]): Promise<AlertDoc[]> {
    const found = new Map((await this.alerts.getMany(ids)).map((d) => [d._id, d]));
    const rest = ids.filter((id) => !found.has(id));
    if (rest.length > 0) for (const d of await this.archive.getMany(rest)) found.set(d._id, d);
    const out: AlertDoc[] = [];
    for (const id of ids) {
      const d = found.get(id);
      if (d) out.push(d);
    }
    return out;
  }

  /** Alerts of both collections matching `filter`, each once, sorted, skipped and limited over the two as one. */
  async find(filter: Filter = {}, opts: FindOptions = {}): Promise<AlertDoc[]> {
    // the first skip + limit of each collection hold the first skip + limit of the two together
    // (a limit of 0 is none, as in the stores)
    const window: FindOptions = { ...(opts.sort ? { sort: opts.sort } : {}), ...(opts.limit ? { limit: (opts.skip ?? 0) + opts.limit } : {}) };
    const [working, archived] = await Promise.all([this.alerts.find(filter, window), this.archive.find(filter, window)]);
    const byId = new Map<string, AlertDoc>();
    for (const d of [...working, ...archived]) if (!byId.has(d._id)) byId.set(d._id, d);
    let out = [...byId.values()];
    if (opts.sort && opts.sort.length > 0) {
      const compare = sortComparator(opts.sort);
      out.sort((a, b) => compare(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>));
    }
    if (opts.skip) out = out.slice(opts.skip);
    if (opts.limit) out = out.slice(0, opts.limit);
    return out;
  }

  /** Alerts of both collections matching `filter` (one left in both by a crash mid-move counts twice until the next move). */
  async count(filter: Filter = {}): Promise<number> {
    const [a, b] = await Promise.all([this.alerts.count(filter), this.archive.count(filter)]);
    return a + b;
  }
}
