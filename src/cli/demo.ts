// `vigil demo`: replays a generated, realistic scenario (hundreds of accounts, weeks of tickets,
// one cross-account error spike, a few souring accounts) through the daemon in event time, prints
// the Slack messages it would send, then keeps the API and dashboard up.
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { startDaemon } from '../daemon/daemon.js';
import { generateScenario } from '../scenario/generate.js';
import { UsageError } from './errors.js';

interface DemoOptions {
  port: string;
  seed: string;
  accounts: string;
  days: string;
  exit?: boolean;
  config?: string;
}

function intOption(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected an integer ${min}..${max}, got "${raw}"`);
  return n;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('replay a realistic scenario through the daemon, print its alerts, then serve the API and dashboard')
    .option('-p, --port <port>', 'HTTP port', '8080')
    .option('--seed <n>', 'scenario seed', '7')
    .option('--accounts <n>', 'accounts in the scenario', '400')
    .option('--days <n>', 'days of tickets', '35')
    .option('--exit', 'exit after the replay instead of serving')
    .option('-c, --config <file>', 'YAML configuration file')
    .action(async (opts: DemoOptions) => {
      const port = intOption('port', opts.port, 0, 65535);
      const seed = intOption('seed', opts.seed, 0, 2 ** 31);
      const accounts = intOption('accounts', opts.accounts, 10, 100_000);
      const days = intOption('days', opts.days, 7, 120);
      const config = loadConfig({ file: opts.config, overrides: { server: { port }, store: { mongoUri: '' } } });
      const startMs = Date.UTC(2026, 9, 1);
      const t0 = Date.now();
      const scenario = generateScenario({ seed, accounts, days, startMs });
      const daemon = await startDaemon(config, { autoProcess: false });
      const out = process.stdout;
      out.write(`Vigil demo: ${scenario.accounts.length} accounts, ${scenario.events.length} events over ${days} days (seed ${seed})\n`);
      await daemon.ingest(scenario.events, scenario.accounts);
      await daemon.drain();
      const d = daemon.processor();
      if (d) await d.refreshAll();
      await daemon.runJob('outreachDigest');
      await daemon.flushAlerts();
      const stats = d?.stats();
      out.write(
        `\nReplayed in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${stats?.processed ?? 0} events processed, ${stats?.clusters ?? 0} error clusters, ${stats?.late ?? 0} late.\n`,
      );
      out.write(`Dashboard: ${daemon.url}/\nAPI:       ${daemon.url}/v1/overview  (OpenAPI: ${daemon.url}/docs/openapi.json)\n`);
      if (opts.exit) {
        await daemon.stop();
        return;
      }
      out.write('Press Ctrl-C to stop.\n');
      await new Promise<void>((resolve) => {
        const stop = () => daemon.stop().then(resolve, resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
