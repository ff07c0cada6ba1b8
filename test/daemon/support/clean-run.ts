// The reference a crashed or taken-over run is compared with: the same events, in the same batches,
// through an in-process daemon on the embedded store that is never interrupted, then drained.
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../../src/config/load.js';
import { startDaemon } from '../../../src/daemon/daemon.js';
import type { Account, VigilEvent } from '../../../src/events/types.js';
import { readOutcome, type RunOutcome } from './outcome.js';

/** Environment-style settings (VIGIL_*) shared by the run under test and its clean reference. */
export type VigilEnv = Record<string, string>;

export const discard = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

/** Runs the events through an uninterrupted daemon (embedded store unless `env` names a MongoDB). */
export async function cleanRun(env: VigilEnv, events: VigilEvent[], accounts: Account[], batchSize: number): Promise<RunOutcome> {
  const config = loadConfig({ env: { ...env, MONGODB_URI: env.MONGODB_URI ?? '' }, overrides: { server: { port: 0 }, log: { level: 'silent' } } });
  const daemon = await startDaemon(config, { autoProcess: false, logger: pino({ level: 'silent' }), alertsOut: discard() });
  try {
    await daemon.ingest([], accounts);
    for (let i = 0; i < events.length; i += batchSize) await daemon.ingest(events.slice(i, i + batchSize));
    await daemon.drain();
    return await readOutcome(daemon.store);
  } finally {
    await daemon.stop();
  }
}

/** Opens the store of a finished run in-process, processes what is left, and reads its outcome. */
export async function finishAndRead(env: VigilEnv): Promise<RunOutcome> {
  const config = loadConfig({ env, overrides: { server: { port: 0 }, log: { level: 'silent' } } });
  const daemon = await startDaemon(config, { autoProcess: false, logger: pino({ level: 'silent' }), alertsOut: discard() });
  try {
    await daemon.drain();
    return await readOutcome(daemon.store);
  } finally {
    await daemon.stop();
  }
}
