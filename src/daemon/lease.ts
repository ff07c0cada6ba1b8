// The HA lease: one kv document elects which of several daemons on one database is active, so
// schedules, alerts and the pipeline run once; a standby takes over when the holder's lease lapses.
import type { DocCollection, Store } from '../store/repository.js';

/** The lease as stored in the kv collection. */
export interface LeaseDoc {
  _id: string;
  /** instanceId of the daemon that holds (or last held) the lease. */
  holder: string;
  /** Epoch ms (holder's clock) after which any other daemon may take the lease. */
  expiresAt: number;
  /** Incremented on every change of holder: a fencing token that orders the reigns. */
  token: number;
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
  private readonly docId: string;
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
    this.docId = `lease:${opts.name}`;
    this.clock = opts.clock ?? Date.now;
    this.skewMs = opts.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
    if (!opts.instanceId) throw new LeaseConfigError('lease: instanceId must not be empty');
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
   * One attempt: renew when this daemon holds the lease, otherwise take it when it is absent or
   * expired. Returns whether this daemon is active afterwards. Concurrent calls share one attempt.
   */
  tryAcquire(): Promise<boolean> {
    this.inFlight ??= this.attempt().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async attempt(): Promise<boolean> {
    // Stamp before the write: the store may apply it any time after this moment.
    const sentAt = this.clock();
    const expiresAt = sentAt + this.opts.leaseMs;
    const me = this.opts.instanceId;
    try {
      if (this.isActive()) {
        const renewed = await this.kv.update(this.docId, { expiresAt }, { where: { holder: me, token: this.token } });
        if (renewed) {
          this.grant(sentAt, this.token);
        } else {
          this.opts.logger?.warn({ lease: this.opts.name, instanceId: me, token: this.token }, 'lease lost to another daemon');
          this.validUntil = 0;
        }
      } else {
        const current = await this.kv.get(this.docId);
        if (current === null) {
          const { inserted } = await this.kv.insertNew([{ _id: this.docId, holder: me, expiresAt, token: 1 }]);
          if (inserted.length === 1) this.grant(sentAt, 1);
        } else if (current.expiresAt < sentAt) {
          // The token condition makes the new token known without a second read.
          const taken = await this.kv.update(
            this.docId,
            { holder: me, expiresAt },
            { where: { token: current.token, expiresAt: { $lt: sentAt } }, inc: { token: 1 } },
          );
          if (taken) {
            this.grant(sentAt, current.token + 1);
            this.opts.logger?.info(
              { lease: this.opts.name, instanceId: me, token: this.token, previousHolder: current.holder },
              'lease acquired',
            );
          }
        }
      }
    } catch (err) {
      // A store outage is not fatal: the deadline below decides, and the next attempt retries.
      this.opts.logger?.warn({ lease: this.opts.name, instanceId: me, err }, 'lease attempt failed');
    }
    this.announce();
    return this.isActive();
  }

  private grant(sentAt: number, token: number): void {
    this.token = token;
    this.validUntil = sentAt + this.opts.leaseMs - this.skewMs;
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
        this.opts.logger?.warn({ lease: this.opts.name, instanceId: this.opts.instanceId, token: this.token }, 'stepping down: lease not renewed');
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
   * Stop renewing. With `release`, hand the lease back at once so a standby need not wait for it
   * to lapse; without, the lease lapses by itself (as when the process dies).
   */
  async stop(release = false): Promise<void> {
    this.running = false;
    clearTimeout(this.loopTimer);
    clearTimeout(this.stepDownTimer);
    this.loopTimer = undefined;
    this.stepDownTimer = undefined;
    await this.inFlight?.catch(() => undefined);
    const wasActive = this.isActive();
    if (release && wasActive) {
      try {
        await this.kv.update(this.docId, { expiresAt: 0 }, { where: { holder: this.opts.instanceId, token: this.token } });
      } catch (err) {
        this.opts.logger?.warn({ lease: this.opts.name, err }, 'lease release failed; it will lapse by itself');
      }
    }
    this.validUntil = 0;
    if (this.announced) {
      this.announced = false;
      this.onChange?.(false);
    }
  }
}
