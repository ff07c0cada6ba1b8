// `vigil detect`: not built yet (placeholder registered so --help lists it).
import type { Command } from 'commander';
import { RuntimeFailure } from './errors.js';

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description('detect (not built yet)')
    .action(() => {
      throw new RuntimeFailure('detect is not built yet');
    });
}
