// A daemon on the embedded store holds its pipeline for good: no other process can share that
// store, so a stalled event loop (longer than the HA lease) must not make it stand down.
import { afterAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon, type DaemonHandle } from '../../src/daemon/daemon.js';
import { SoleLease } from '../../src/daemon/lease.js';

const LEASE_MS = 1000;

/** Holds the event loop, as a long GC pause or a large synchronous checkpoint would. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy on purpose
  }
}

describe('SoleLease', () => {
  it('is active from start to stop and tells onChange both times', async () => {
    const lease = new SoleLease();
    const heard: boolean[] = [];
    expect(lease.isActive()).toBe(false);
    lease.start((a) => heard.push(a));
    expect(lease.isActive()).toBe(true);
    expect(await lease.tryAcquire()).toBe(true);
    await lease.stop(true);
    expect(lease.isActive()).toBe(false);
    expect(heard).toEqual([true, false]);
  });
});

describe('daemon on the embedded store', () => {
  let daemon: DaemonHandle | undefined;
  afterAll(async () => {
    await daemon?.stop();
  });

  it('keeps its pipeline through an event-loop stall longer than ha.leaseMs', async () => {
    const config = loadConfig({
      env: {},
      overrides: { server: { port: 0 }, log: { level: 'silent' }, ha: { leaseMs: LEASE_MS, renewMs: 200, clockSkewMs: 0 } },
    });
    const quiet = new Writable({ write: (_c, _e, cb) => cb() });
    daemon = await startDaemon(config, { autoProcess: false, logger: pino({ level: 'silent' }), alertsOut: quiet });
    expect(daemon.isActive()).toBe(true);
    const before = daemon.processor();
    expect(before).not.toBeNull();
    stall(LEASE_MS * 1.5);
    expect(daemon.isActive()).toBe(true);
    // let any timers that were due during the stall run
    await new Promise((r) => setTimeout(r, 3 * 200));
    expect(daemon.isActive()).toBe(true);
    // the same pipeline: it never stood down (a timed lease would have, and rebuilt it from the checkpoint)
    expect(daemon.processor()).toBe(before);
    await daemon.drain();
  });
});
