// `vigil sentiment`: not built yet (placeholder registered so --help lists it).
import type { Command } from 'commander';
import { RuntimeFailure } from './errors.js';

export function registerSentiment(program: Command): void {
  program
    .command('sentiment')
    .description('sentiment (not built yet)')
    .action(() => {
      throw new RuntimeFailure('sentiment is not built yet');
    });
}
