// The HA lease: one kv document elects which of several daemons on one database is active, so
// schedules, alerts and the pipeline run once; a standby takes over when the holder's lease lapses.
import type { DocCollection, Store } from '../store/repository.js';

/**
 * One reign of the lease, as stored in kv under `lease:<name>#<token, zero-padded>`. A takeover
 * INSERTS the next reign (the unique `_id` lets exactly one contender win); only the holder ever
 * updates its own reign (renewal, release). No conditional update decides who holds the lease,
 * because FerretDB 1.24.2 applies concurrent conditional updates non-atomically (several
 * contenders all "match"); inserts of one `_id` it does serialize.
 */
export interface LeaseDoc {
  _id: string;
  /** instanceId of the daemon holding this reign. */
  holder: string;
  /** Epoch ms (holder's clock) after which any other daemon may start the next reign. */
  expiresAt: number;
  /** The reign's number, 1, 2, ...: the fencing token. */
  token: number;
}

/** Tokens are zero-padded in `_id` so that the newest reign sorts last. */
const TOKEN_DIGITS = 12;

function reignPrefix(name: string): string {
  return `lease:${name}#`;
}

function reignId(name: string, token: number): string {
  return reignPrefix(name) + String(token).padStart(TOKEN_DIGITS, '0');
}

/** The newest reign of the lease `name` (held or lapsed), or null before the first. */
export async function currentReign(kv: DocCollection<LeaseDoc>, name: string): Promise<LeaseDoc | null> {
  // '$' is the character after '#', so this range is exactly the reigns of `name`
  const docs = await kv.find({ _id: { $gte: reignPrefix(name), $lt: `lease:${name}$` } }, { sort: [['_id', -1]], limit: 1 });
  return docs[0] ?? null;
}

/** The few pino methods the lease uses (a pino logger fits). */
export interface LeaseLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface LeaseOptions {
  /** Lease name; the document is `lease:<name>` in kv. */
  name: string;
  /** This daemon's name in the lease (unique per running process). */
  instanceId: string;
  /** How long one acquisition or renewal holds the lease. */
  leaseMs: number;
  /** How often the holder renews (and a standby tries to acquire). */
  renewMs: number;
  /**
   * Largest clock difference assumed between daemons: the holder considers itself active only
   * until `sentAt + leaseMs - clockSkewMs`, so it has stepped down before any other daemon's clock
   * can see the lease as expired. Default DEFAULT_CLOCK_SKEW_MS.
   */
  clockSkewMs?: number;
  clock?: () => number;
  logger?: LeaseLogger;
}

/**
 * Used until ha.clockSkewMs exists in the config schema: NTP-synced hosts differ by far less than
 * a second, and one second still leaves the default 15 s lease two renewals before the holder steps down.
 */
export const DEFAULT_CLOCK_SKEW_MS = 1000;

export class LeaseConfigError extends Error {
  readonly code = 'LEASE_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'LeaseConfigError';
  }
}

export class Lease {
  private readonly kv: DocCollection<LeaseDoc>;
  private readonly clock: () => number;
  private readonly skewMs: number;
  /** Local deadline: past it this daemon no longer claims the lease, renewed or not. */
  private validUntil = 0;
  private token = 0;
  /** Active as last announced through onChange. */
  private announced = false;
  private onChange: ((active: boolean) => void) | undefined;
  private loopTimer: NodeJS.Timeout | undefined;
  private stepDownTimer: NodeJS.Timeout | undefined;
  private inFlight: Promise<boolean> | undefined;
  private running = false;

  constructor(
    store: Store,
    private readonly opts: LeaseOptions,
  ) {
    this.kv = store.collection<LeaseDoc>('kv');
    this.clock = opts.clock ?? Date.now;
    this.skewMs = opts.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
    if (!opts.instanceId) throw new LeaseConfigError('lease: instanceId must not be empty');
    if (!opts.name || /[#$]/.test(opts.name)) throw new LeaseConfigError(`lease: name "${opts.name}" must be non-empty, without "#" or "$"`);
    if (!(opts.renewMs > 0) || !(opts.leaseMs > 0) || !(this.skewMs >= 0)) {
      throw new LeaseConfigError(`lease: leaseMs (${opts.leaseMs}) and renewMs (${opts.renewMs}) must be > 0, clockSkewMs (${this.skewMs}) >= 0`);
    }
    // At least one renewal must fit before the holder's local deadline, or it would flap.
    if (opts.renewMs >= opts.leaseMs - this.skewMs) {
      throw new LeaseConfigError(
        `lease: ha.renewMs (${opts.renewMs}) must be below ha.leaseMs (${opts.leaseMs}) minus the clock skew margin (${this.skewMs})`,
      );
    }
  }

  /** True while this daemon holds the lease by its own clock (checked now, not at the last timer). */
  isActive(): boolean {
    return this.token > 0 && this.clock() < this.validUntil;
  }

  /** The token of the current (or last) reign; 0 before the first acquisition. */
  fencingToken(): number {
    return this.token;
  }

  /**
   * One attempt: renew when this daemon holds the lease, otherwise start the next reign when the
   * newest one has lapsed (or there is none). Returns whether this daemon is active afterwards.
   * Concurrent calls share one attempt.
   */
  tryAcquire(): Promise<boolean> {
    this.inFlight ??= this.attempt().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async attempt(): Promise<boolean> {
    try {
      if (this.isActive()) await this.renew();
      else await this.acquire();
    } catch (err) {
      // A store outage is not fatal: the local deadline decides, and the next attempt retries.
      this.opts.logger?.warn({ lease: this.opts.name, instanceId: this.opts.instanceId, err }, 'lease attempt failed');
    }
    this.announce();
    return this.isActive();
  }

  private async renew(): Promise<void> {
    const me = this.opts.instanceId;
    // Stamp before the write: the store may apply it any time after this moment.
    const sentAt = this.clock();
    const renewed = await this.kv.update(reignId(this.opts.name, this.token), { expiresAt: sentAt + this.opts.leaseMs }, { where: { holder: me } });
    // A newer reign means our clocks disagree by more than the margin: give way at once.
    const newest = renewed ? await currentReign(this.kv, this.opts.name) : null;
    if (!renewed || newest === null || newest.token !== this.token) {
      this.opts.logger?.warn({ lease: this.opts.name, instanceId: me, token: this.token, newest: newest?.token }, 'lease lost to another daemon');
      this.validUntil = 0;
      return;
    }
    // Only a renewal that completed before our deadline counts: then no other daemon can have
    // read this reign as lapsed before the renewal landed. A late answer changes nothing.
    if (this.clock() < this.validUntil) this.validUntil = sentAt + this.opts.leaseMs - this.skewMs;
  }

  private async acquire(): Promise<void> {
    const me = this.opts.instanceId;
    const sentAt = this.clock();
    const newest = await currentReign(this.kv, this.opts.name);
    // Our own unexpired reign that we stopped trusting (a renewal came too late) is not resumed:
    // a standby may be reading it as lapsed right now. It lapses like any other.
    if (newest !== null && newest.expiresAt >= sentAt) return;
    const token = (newest?.token ?? 0) + 1;
    const { inserted } = await this.kv.insertNew([{ _id: reignId(this.opts.name, token), holder: me, expiresAt: sentAt + this.opts.leaseMs, token }]);
    if (inserted.length !== 1) return; // another daemon started this reign first
    this.token = token;
    if (this.clock() < sentAt + this.opts.leaseMs - this.skewMs) this.validUntil = sentAt + this.opts.leaseMs - this.skewMs;
    this.opts.logger?.info({ lease: this.opts.name, instanceId: me, token, previousHolder: newest?.holder ?? null }, 'lease acquired');
    // Keep the previous reign (for the record), drop older ones; best effort.
    if (token > 2) {
      await this.kv
        .deleteMany({ _id: { $gte: reignPrefix(this.opts.name), $lt: reignId(this.opts.name, token - 1) } })
        .catch((err: unknown) => this.opts.logger?.warn({ lease: this.opts.name, err }, 'old lease reigns not cleaned up'));
    }
  }

  /** Tell onChange about a transition, and arm the step-down at the local deadline. */
  private announce(): void {
    const active = this.isActive();
    clearTimeout(this.stepDownTimer);
    this.stepDownTimer = undefined;
    if (active && this.running) {
      this.stepDownTimer = setTimeout(() => this.announce(), Math.max(0, this.validUntil - this.clock()));
    }
    if (active !== this.announced) {
      this.announced = active;
      if (!active) {
        this.opts.logger?.warn({ lease: this.opts.name, instanceId: this.opts.instanceId, token: this.token }, 'standing down: lease not renewed in time');
      }
      if (this.running) this.onChange?.(active);
    }
  }

  /** Try now and then every renewMs; onChange hears each transition between active and standby. */
  start(onChange: (active: boolean) => void): void {
    if (this.running) return;
    this.running = true;
    this.onChange = onChange;
    const loop = async (): Promise<void> => {
      await this.tryAcquire();
      if (this.running) this.loopTimer = setTimeout(() => void loop(), this.opts.renewMs);
    };
    void loop();
  }

  /**
   * Stop renewing. With `release`, end the reign at once so a standby need not wait for it to
   * lapse; without, it lapses by itself (as when the process dies).
   */
  async stop(release = false): Promise<void> {
    this.running = false;
    clearTimeout(this.loopTimer);
    clearTimeout(this.stepDownTimer);
    this.loopTimer = undefined;
    this.stepDownTimer = undefined;
    await this.inFlight?.catch(() => undefined);
    const wasActive = this.isActive();
    // Stand down locally first, and say so, before a standby can be let in by the release.
    this.validUntil = 0;
    if (this.announced) {
      this.announced = false;
      this.onChange?.(false);
    }
    if (release && wasActive) {
      try {
        await this.kv.update(reignId(this.opts.name, this.token), { expiresAt: 0 }, { where: { holder: this.opts.instanceId } });
      } catch (err) {
        this.opts.logger?.warn({ lease: this.opts.name, err }, 'lease release failed; it will lapse by itself');
      }
    }
  }
}

/** What the daemon needs of a lease: the HA lease above, or the sole holder below. */
export interface PipelineLease {
  isActive(): boolean;
  tryAcquire(): Promise<boolean>;
  start(onChange: (active: boolean) => void): void;
  stop(release?: boolean): Promise<void>;
}

/**
 * The lease of a daemon whose store no other process can open (the embedded store lives in this
 * process): there is nobody to hand over to, so it is held from start() to stop(). A stalled event
 * loop (a long GC pause, a big checkpoint at 100k accounts) must not make the only daemon stand
 * down and stop its own pipeline, as the timed HA lease would.
 */
export class SoleLease implements PipelineLease {
  private active = false;
  private onChange: ((active: boolean) => void) | undefined;

  isActive(): boolean {
    return this.active;
  }

  tryAcquire(): Promise<boolean> {
    return Promise.resolve(this.active);
  }

  start(onChange: (active: boolean) => void): void {
    if (this.active) return;
    this.active = true;
    this.onChange = onChange;
    onChange(true);
  }

  stop(): Promise<void> {
    if (this.active) {
      this.active = false;
      this.onChange?.(false);
    }
    return Promise.resolve();
  }
}
