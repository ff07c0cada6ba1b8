#!/usr/bin/env node
// Entry point of the `vigil` command. `natural` prints a dotenv banner on stdout when imported
// unless told to be quiet, so the flag is set before any command module is loaded.
process.env.DOTENV_CONFIG_QUIET ??= 'true';
const { run } = await import('./program.js');
process.exitCode = await run(process.argv.slice(2));
