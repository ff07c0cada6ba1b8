// `vigil cluster`: not built yet (placeholder registered so --help lists it).
import type { Command } from 'commander';
import { RuntimeFailure } from './errors.js';

export function registerCluster(program: Command): void {
  program
    .command('cluster')
    .description('cluster (not built yet)')
    .action(() => {
      throw new RuntimeFailure('cluster is not built yet');
    });
}
