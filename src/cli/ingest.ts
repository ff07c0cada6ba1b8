// `vigil ingest`: not built yet (placeholder registered so --help lists it).
import type { Command } from 'commander';
import { RuntimeFailure } from './errors.js';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('ingest (not built yet)')
    .action(() => {
      throw new RuntimeFailure('ingest is not built yet');
    });
}
