// The `vigil` command line: one module per command, registered here in one visible place.
// Exit codes: 0 success, 1 runtime failure, 2 usage error, with a one-line message on stderr.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { UsageError } from './errors.js';
/**
 * Command modules, loaded only when their command runs: `vigil cluster` should not pay for
 * fastify, mongodb and tfjs at start-up. Help without a command loads them all to list them.
 */
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  start: async () => (await import('./start.js')).registerStart,
  ingest: async () => (await import('./ingest.js')).registerIngest,
  cluster: async () => (await import('./cluster.js')).registerCluster,
  detect: async () => (await import('./detect.js')).registerDetect,
  sentiment: async () => (await import('./sentiment.js')).registerSentiment,
  demo: async () => (await import('./demo.js')).registerDemo,
  'config-doc': async () => (await import('./config-doc.js')).registerConfigDoc,
};

export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('vigil')
    .description('Vigil: error-spike incidents and account health from the support-ticket stream.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);
  const named = argv.find((a) => !a.startsWith('-'));
  const wanted = named && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  for (const name of wanted) (await COMMANDS[name]!())(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      // commander already printed its one-line message
      return 2;
    }
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`vigil: ${message.split('\n')[0]}\n`);
    return 1;
  }
}
