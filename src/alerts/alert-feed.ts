// In-process notice of alert writes made through one store handle: the outbox tells, the sender
// listens, so the sender learns of new and changed alerts without reading the whole collection.
import type { Store } from '../store/repository.js';
import type { AlertDoc } from './alert-types.js';

type Listener = (doc: AlertDoc) => void;

const listeners = new WeakMap<Store, Set<Listener>>();

/** Tells the listeners of `store` that the alert is now stored as `doc`. */
export function announceAlert(store: Store, doc: AlertDoc): void {
  for (const fn of listeners.get(store) ?? []) fn(doc);
}

/** Calls `fn` with every alert announced for `store` from now on; returns the unsubscribe function. */
export function listenForAlerts(store: Store, fn: Listener): () => void {
  let set = listeners.get(store);
  if (!set) {
    set = new Set();
    listeners.set(store, set);
  }
  set.add(fn);
  return () => set.delete(fn);
}
