// `vigil config-doc`: prints the documented default configuration (the source of config/default.yaml).
import type { Command } from 'commander';
import { renderDefaultConfig } from '../config/document.js';

export function registerConfigDoc(program: Command): void {
  program
    .command('config-doc')
    .description('print every configuration key with its default and reason, as YAML')
    .action(() => {
      process.stdout.write(renderDefaultConfig());
    });
}
