// The daemon's cron schedules (window ticks, health refresh, digests, retraining) on node-cron:
// a job never overlaps itself, runs only on the active daemon, and a failure is logged, not fatal.
import { createTask, validateDetailed, type Logger as CronLogger, type ScheduledTask } from 'node-cron';

/** The few pino methods the scheduler uses (a pino logger fits). */
export interface SchedulerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface SchedulerOptions {
  /** IANA time zone the cron expressions are read in. */
  timezone: string;
  logger?: SchedulerLogger;
  /** Jobs run only while this says so (HA: only the active daemon). Default: always. */
  isActive?: () => boolean;
}

export type RunOutcome = 'ran' | 'skipped-running' | 'skipped-standby';

/** Counters per job, for metrics and the status endpoint. */
export interface JobStats {
  cron: string;
  runs: number;
  failures: number;
  skippedRunning: number;
  skippedStandby: number;
  running: boolean;
  /** Epoch ms of the last finished run, or null. */
  lastFinishedAt: number | null;
  lastError: string | null;
}

/** A schedule that cannot work (bad cron expression, unknown time zone, duplicate name). */
export class ScheduleConfigError extends Error {
  readonly code = 'SCHEDULE_CONFIG';
  constructor(
    message: string,
    readonly key: string,
    readonly value: string,
  ) {
    super(message);
    this.name = 'ScheduleConfigError';
  }
}

interface Job {
  name: string;
  cron: string;
  fn: () => Promise<void>;
  task: ScheduledTask | undefined;
  current: Promise<void> | undefined;
  stats: JobStats;
}

export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private started = false;
  private readonly isActive: () => boolean;

  constructor(private readonly opts: SchedulerOptions) {
    this.isActive = opts.isActive ?? (() => true);
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: opts.timezone });
    } catch {
      throw new ScheduleConfigError(
        `schedules.timezone: unknown time zone "${opts.timezone}" (expected an IANA name such as "Europe/Berlin")`,
        'schedules.timezone',
        opts.timezone,
      );
    }
  }

  /** Register a job; `name` is its key under `schedules` in the config, named in errors. */
  add(name: string, cron: string, job: () => Promise<void>): void {
    if (this.jobs.has(name)) {
      throw new ScheduleConfigError(`schedules.${name}: a job with this name is already scheduled`, `schedules.${name}`, cron);
    }
    const check = validateDetailed(cron);
    if (!check.valid) {
      const why = check.errors.map((e) => (e.field === 'expression' ? e.message : `${e.field}: ${e.message}`)).join('; ');
      throw new ScheduleConfigError(`schedules.${name}: invalid cron expression "${cron}": ${why}`, `schedules.${name}`, cron);
    }
    const entry: Job = {
      name,
      cron,
      fn: job,
      task: undefined,
      current: undefined,
      stats: { cron, runs: 0, failures: 0, skippedRunning: 0, skippedStandby: 0, running: false, lastFinishedAt: null, lastError: null },
    };
    this.jobs.set(name, entry);
    if (this.started) this.arm(entry);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const job of this.jobs.values()) this.arm(job);
  }

  /** Stop firing, then wait for the jobs already running to finish. */
  async stop(): Promise<void> {
    this.started = false;
    const running: Promise<void>[] = [];
    for (const job of this.jobs.values()) {
      await job.task?.destroy();
      job.task = undefined;
      if (job.current) running.push(job.current);
    }
    await Promise.allSettled(running);
  }

  /** Run a job now (as a tick of its schedule would), with the same overlap and standby rules. */
  runNow(name: string): Promise<RunOutcome> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no scheduled job named "${name}"`);
    return this.fire(job, 'invoked');
  }

  stats(): Record<string, JobStats> {
    const out: Record<string, JobStats> = {};
    for (const job of this.jobs.values()) out[job.name] = { ...job.stats };
    return out;
  }

  private arm(job: Job): void {
    // node-cron only triggers; overlap, standby and errors are decided in fire(), shared with runNow().
    job.task = createTask(job.cron, () => void this.fire(job, 'scheduled'), {
      name: `vigil:${job.name}`,
      timezone: this.opts.timezone,
      logger: this.cronLogger(job.name),
    });
    void job.task.start();
  }

  private async fire(job: Job, reason: 'scheduled' | 'invoked'): Promise<RunOutcome> {
    const log = this.opts.logger;
    if (!this.isActive()) {
      job.stats.skippedStandby++;
      log?.debug({ job: job.name, reason }, 'job skipped: this daemon is standby');
      return 'skipped-standby';
    }
    if (job.current) {
      job.stats.skippedRunning++;
      log?.warn({ job: job.name, reason }, 'job skipped: previous run still running');
      return 'skipped-running';
    }
    const run = (async () => {
      job.stats.running = true;
      const startedAt = Date.now();
      try {
        await job.fn();
        job.stats.runs++;
        log?.debug({ job: job.name, reason, ms: Date.now() - startedAt }, 'job finished');
      } catch (err) {
        job.stats.runs++;
        job.stats.failures++;
        job.stats.lastError = err instanceof Error ? err.message : String(err);
        log?.error({ job: job.name, reason, err }, 'job failed');
      } finally {
        job.stats.running = false;
        job.stats.lastFinishedAt = Date.now();
        job.current = undefined;
      }
    })();
    job.current = run;
    await run;
    return 'ran';
  }

  private cronLogger(name: string): CronLogger {
    const log = this.opts.logger;
    const text = (m: string | Error): string => (m instanceof Error ? m.message : m);
    return {
      info: (m) => log?.info({ job: name }, `node-cron: ${m}`),
      warn: (m) => log?.warn({ job: name }, `node-cron: ${m}`),
      error: (m, err) => log?.error({ job: name, err: err ?? m }, `node-cron: ${text(m)}`),
      debug: (m) => log?.debug({ job: name }, `node-cron: ${text(m)}`),
    };
  }
}
