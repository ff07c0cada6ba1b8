// The few most recent tickets of an account, with what health needs of each (AI turns since a
// human, flags, last event minute): kept decoded while the pipeline runs, stored as one short string.

/** A recent ticket: hashed id, AI turns since the last human touch, flags, last event minute. */
export interface TrackedTicket {
  /** The ticket id's hash in base 36, as stored. */
  i: string;
  /** The same hash as a number: what a lookup compares. */
  h: number;
  a: number;
  f: number;
  t: number;
  /** Its encoded form as last built (undefined: changed since): an event changes one ticket at most. */
  p?: string;
}

/** Tickets are stored as one string, "key.a.f.t;..." (numbers in base 36): a few bytes each. */
export function readTickets(encoded: string): TrackedTicket[] {
  if (encoded === '') return [];
  return encoded.split(';').map((e) => {
    const [i, a, f, t] = e.split('.');
    return { i: i!, h: parseInt(i!, 36), a: parseInt(a!, 36), f: parseInt(f!, 36), t: parseInt(t!, 36), p: undefined };
  });
}

/** Stable hash of a ticket id (FNV-1a, 32 bits): ticket ids can be long UUIDs. */
export function ticketHash(ticketId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ticketId.length; i++) {
    h ^= ticketId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The pieces of the list being encoded (reused: encoding is synchronous). */
const PIECES: string[] = [];

/**
 * An account's tracked tickets. Most events carry a ticket id, and encoding the list at every one
 * of them was a hot path: the string is built when the state is stored (JSON.stringify calls
 * toJSON) or read, from the pieces of the tickets that did not change.
 */
export class TrackedTickets {
  readonly list: TrackedTicket[];
  /** The encoded list as last built (undefined: changed since). */
  private encoded: string | undefined;

  constructor(list: TrackedTicket[] = []) {
    this.list = list;
    this.encoded = list.length === 0 ? '' : undefined;
  }

  static fromString(encoded: string): TrackedTickets {
    const t = new TrackedTickets(readTickets(encoded));
    t.encoded = encoded;
    return t;
  }

  /** The tracked ticket with hash `h`, if any. */
  find(h: number): TrackedTicket | undefined {
    const list = this.list;
    for (let k = 0; k < list.length; k++) if (list[k]!.h === h) return list[k];
    return undefined;
  }

  /** Notes that `ticket` (of this list), or the list itself, changed. */
  changed(ticket?: TrackedTicket): void {
    if (ticket) ticket.p = undefined;
    this.encoded = undefined;
  }

  toString(): string {
    let s = this.encoded;
    if (s === undefined) {
      const list = this.list;
      PIECES.length = list.length;
      for (let k = 0; k < list.length; k++) {
        const x = list[k]!;
        PIECES[k] = x.p ??= `${x.i}.${x.a.toString(36)}.${x.f.toString(36)}.${x.t.toString(36)}`;
      }
      // one flat string (a loop of += would leave a chain of string pieces)
      s = PIECES.join(';');
      this.encoded = s;
    }
    return s;
  }

  /** Stored as its string. */
  toJSON(): string {
    return this.toString();
  }
}
