// The `vigil` command line: one module per command, registered here in one visible place.
// Exit codes: 0 success, 1 runtime failure, 2 usage error, with a one-line message on stderr.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { UsageError } from './errors.js';
import { registerStart } from './start.js';
import { registerIngest } from './ingest.js';
import { registerCluster } from './cluster.js';
import { registerDetect } from './detect.js';
import { registerSentiment } from './sentiment.js';
import { registerDemo } from './demo.js';
import { registerConfigDoc } from './config-doc.js';

export function buildProgram(): Command {
  const program = new Command('vigil')
    .description('Vigil: error-spike incidents and account health from the support-ticket stream.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);
  registerStart(program);
  registerIngest(program);
  registerCluster(program);
  registerDetect(program);
  registerSentiment(program);
  registerDemo(program);
  registerConfigDoc(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
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
