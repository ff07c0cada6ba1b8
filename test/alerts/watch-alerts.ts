// A store as the component under test sees it, reporting every method called on its `alerts`
// collection: for tests that count what the outbox or the sender reads.
import type { Store } from '../../src/store/repository.js';
import type { AlertDoc } from '../../src/alerts/alert-types.js';

export interface WatchOptions {
  /** What the store answers for `durable` (another process can write only to a durable store); its own when absent. */
  durable?: boolean;
}

export function watchAlerts(inner: Store, onCall: (method: string, args: unknown[]) => void, opts: WatchOptions = {}): Store {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'durable' && opts.durable !== undefined) return opts.durable;
      const v = Reflect.get(target, prop, target) as unknown;
      if (prop !== 'collection') return typeof v === 'function' ? v.bind(target) : v;
      return (name: Parameters<Store['collection']>[0]) => {
        const coll = target.collection<AlertDoc>(name);
        if (name !== 'alerts') return coll;
        return new Proxy(coll, {
          get(ct, p) {
            const f = Reflect.get(ct, p, ct) as unknown;
            if (typeof f !== 'function') return f;
            return (...args: unknown[]) => {
              onCall(String(p), args);
              return (f as (...a: unknown[]) => unknown).apply(ct, args);
            };
          },
        });
      };
    },
  });
}
