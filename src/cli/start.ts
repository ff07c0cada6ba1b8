// `vigil start`: the daemon. Embedded store unless MONGODB_URI or the config names a MongoDB.
// SIGTERM/SIGINT stop intake, finish the current step, checkpoint, and close the store.
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { startDaemon } from '../daemon/daemon.js';
import { UsageError } from './errors.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the daemon: HTTP intake and API, pipeline, schedules, alerts')
    .option('-c, --config <file>', 'YAML configuration file (default: built-in defaults; env VIGIL_CONFIG)')
    .option('-p, --port <port>', 'HTTP port (overrides server.port)')
    .action(async (opts: { config?: string; port?: string }) => {
      const overrides: Record<string, unknown> = {};
      if (opts.port !== undefined) {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected an integer 0..65535, got "${opts.port}"`);
        overrides.server = { port };
      }
      const config = loadConfig({ file: opts.config, overrides });
      const daemon = await startDaemon(config);
      process.stderr.write(`vigil: listening on ${daemon.url} (store: ${daemon.store.kind}${daemon.store.durable ? '' : ', NOT durable'})\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`vigil: ${signal}: shutting down\n`);
          daemon.stop().then(resolve, (err) => {
            process.stderr.write(`vigil: shutdown failed: ${(err as Error).message}\n`);
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
