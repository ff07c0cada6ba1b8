import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScheduleConfigError, Scheduler, type SchedulerLogger } from '../../src/jobs/scheduler.js';

/** A logger that keeps what it was told, so tests can check that skips and failures are logged. */
function recordingLogger(): SchedulerLogger & { lines: Array<{ level: string; obj: object; msg: string }> } {
  const lines: Array<{ level: string; obj: object; msg: string }> = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

/** A promise the test resolves when it wants a job to finish. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('Scheduler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects an invalid cron expression naming the schedule key', () => {
    const s = new Scheduler({ timezone: 'UTC' });
    expect(() => s.add('healthRefresh', '0 25 * * *', async () => {})).toThrowError(/schedules\.healthRefresh: invalid cron expression "0 25 \* \* \*"/);
    expect(() => s.add('tick', 'every minute', async () => {})).toThrowError(ScheduleConfigError);
    try {
      s.add('weeklyReview', '* * *', async () => {});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ScheduleConfigError);
      expect((err as ScheduleConfigError).key).toBe('schedules.weeklyReview');
      expect((err as ScheduleConfigError).value).toBe('* * *');
    }
  });

  it('rejects an unknown time zone and a duplicate job name', () => {
    expect(() => new Scheduler({ timezone: 'Mars/Olympus' })).toThrowError(/schedules\.timezone: unknown time zone "Mars\/Olympus"/);
    const s = new Scheduler({ timezone: 'Europe/Berlin' });
    s.add('tick', '*/10 * * * * *', async () => {});
    expect(() => s.add('tick', '* * * * *', async () => {})).toThrowError(/schedules\.tick: a job with this name/);
  });

  it('runNow runs the job, and does not start it again while it is still running', async () => {
    const log = recordingLogger();
    const s = new Scheduler({ timezone: 'UTC', logger: log });
    let started = 0;
    const g = gate();
    s.add('retrain', '0 3 * * *', async () => {
      started++;
      await g.promise;
    });
    const first = s.runNow('retrain');
    expect(await s.runNow('retrain')).toBe('skipped-running');
    expect(s.stats().retrain!.running).toBe(true);
    g.open();
    expect(await first).toBe('ran');
    expect(await s.runNow('retrain')).toBe('ran');
    expect(started).toBe(2);
    const st = s.stats().retrain!;
    expect(st).toMatchObject({ runs: 2, skippedRunning: 1, failures: 0, running: false });
    expect(log.lines.some((l) => l.level === 'warn' && /still running/.test(l.msg))).toBe(true);
  });

  it('runs jobs only while the daemon is active', async () => {
    let active = false;
    const s = new Scheduler({ timezone: 'UTC', isActive: () => active });
    let runs = 0;
    s.add('outreachDigest', '0 9 * * 1-5', async () => void runs++);
    expect(await s.runNow('outreachDigest')).toBe('skipped-standby');
    expect(runs).toBe(0);
    active = true;
    expect(await s.runNow('outreachDigest')).toBe('ran');
    expect(runs).toBe(1);
    expect(s.stats().outreachDigest!.skippedStandby).toBe(1);
  });

  it('logs and counts a failing job, and keeps running it', async () => {
    const log = recordingLogger();
    const s = new Scheduler({ timezone: 'UTC', logger: log });
    let calls = 0;
    s.add('weeklyReview', '0 8 * * 1', async () => {
      calls++;
      if (calls === 1) throw new Error('report store unavailable');
    });
    expect(await s.runNow('weeklyReview')).toBe('ran');
    expect(await s.runNow('weeklyReview')).toBe('ran');
    expect(s.stats().weeklyReview).toMatchObject({ runs: 2, failures: 1, lastError: 'report store unavailable' });
    expect(log.lines.filter((l) => l.level === 'error' && l.msg === 'job failed')).toHaveLength(1);
  });

  it('unknown job names are an error', () => {
    const s = new Scheduler({ timezone: 'UTC' });
    expect(() => s.runNow('nope')).toThrowError(/no scheduled job named "nope"/);
  });

  it('fires on its cron schedule, skips ticks while the previous run is busy, and stop() waits for the running job', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-02T10:00:00.500Z') });
    const s = new Scheduler({ timezone: 'UTC' });
    let started = 0;
    let finished = 0;
    const g = gate();
    s.add('tick', '* * * * * *', async () => {
      started++;
      if (started === 1) await g.promise;
      finished++;
    });
    s.start();
    await vi.advanceTimersByTimeAsync(3_200);
    // The first run is held open: the later ticks are skipped, not stacked.
    expect(started).toBe(1);
    expect(s.stats().tick!.skippedRunning).toBeGreaterThanOrEqual(2);
    g.open();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(started).toBeGreaterThanOrEqual(2);
    expect(finished).toBe(started);

    // Hold the next run open and stop: stop() resolves only once that run has finished.
    const held = gate();
    let heldDone = false;
    const s2 = new Scheduler({ timezone: 'UTC' });
    s2.add('tick', '* * * * * *', async () => {
      await held.promise;
      heldDone = true;
    });
    s2.start();
    await vi.advanceTimersByTimeAsync(1_100);
    expect(s2.stats().tick!.running).toBe(true);
    let stopped = false;
    const stopping = s2.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(stopped).toBe(false);
    held.open();
    await stopping;
    expect(heldDone).toBe(true);
    const ranBeforeStop = started;
    await s.stop();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(started).toBe(ranBeforeStop);
  });

  it('reads the cron expression in the configured time zone', async () => {
    // 09:00 in New York on 16 March 2026 (EDT, UTC-4) is 13:00 UTC; read as UTC it would not fire here.
    vi.useFakeTimers({ now: new Date('2026-03-16T12:59:59.000Z') });
    const s = new Scheduler({ timezone: 'America/New_York' });
    const firedAt: number[] = [];
    s.add('outreachDigest', '0 9 * * 1-5', async () => void firedAt.push(Date.now()));
    s.start();
    await vi.advanceTimersByTimeAsync(2_000);
    await s.stop();
    expect(firedAt).toHaveLength(1);
    expect(new Date(firedAt[0]!).toISOString().slice(0, 16)).toBe('2026-03-16T13:00');
  });
});
