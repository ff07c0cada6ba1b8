// Makes sure web/dist holds a build of the current web/ sources before a browser loads it:
// builds with Vite when the build is missing or older than any source file.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkoutRoot } from '../../src/api/dashboard.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Returns the directory of the built dashboard. */
export function ensureDashboardBuilt(): string {
  const root = checkoutRoot();
  const web = join(root, 'web');
  const dist = join(web, 'dist');
  const index = join(dist, 'index.html');
  const sources = Math.max(newestMtime(join(web, 'src')), statSync(join(web, 'index.html')).mtimeMs, statSync(join(web, 'vite.config.ts')).mtimeMs);
  if (!existsSync(index) || statSync(index).mtimeMs < sources) {
    execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  }
  return dist;
}
