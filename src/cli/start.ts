// `vigil start`: not built yet (placeholder registered so --help lists it).
import type { Command } from 'commander';
import { RuntimeFailure } from './errors.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('start (not built yet)')
    .action(() => {
      throw new RuntimeFailure('start is not built yet');
    });
}
