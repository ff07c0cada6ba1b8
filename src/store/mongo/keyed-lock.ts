// Runs read-modify-write operations on one key one at a time within this process. FerretDB v1.24
// applies a filtered update or $inc as read-then-write without isolation (measured: three
// concurrent claims of one document all "won"), so the MongoDB store serializes them per document.

export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await next;
    } finally {
      // forget the key once nothing else queued behind this operation
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
