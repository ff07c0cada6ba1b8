// `vigil demo`: not built yet (placeholder registered so --help lists it).
import type { Command } from 'commander';
import { RuntimeFailure } from './errors.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('demo (not built yet)')
    .action(() => {
      throw new RuntimeFailure('demo is not built yet');
    });
}
