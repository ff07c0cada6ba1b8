// Runs `vigil start` (the built CLI) as a child process for end-to-end tests: waits for its
// "listening" line, and stops it either gracefully (SIGTERM) or as a crash (SIGKILL, kill -9).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const CLI = resolve(import.meta.dirname, '../../../dist/src/cli/main.js');
/** How long a starting daemon may take to print its URL (FerretDB connect, index creation, lease). */
const START_TIMEOUT_MS = 60_000;
/** How long a SIGTERM'd daemon gets to checkpoint and close before it is killed. */
const STOP_GRACE_MS = 20_000;

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.json\` before the e2e tests`);
}

export interface DaemonProcess {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything the daemon wrote to stderr (logs) so far. */
  stderr(): string;
  /** Everything the daemon wrote to stdout (the console alert sink) so far. */
  stdout(): string;
  /** kill -9: no checkpoint, no lease release, nothing flushed. */
  crash(): Promise<void>;
  /** SIGTERM: stop intake, checkpoint, release the lease; SIGKILL after a grace period. */
  stop(): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/** Spawns `node dist/src/cli/main.js start` with these environment settings (on top of a clean base). */
export async function spawnDaemon(env: Record<string, string>, args: string[] = ['start']): Promise<DaemonProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DOTENV_CONFIG_QUIET: 'true', VIGIL_LOG__LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stdout!.on('data', (b: Buffer) => {
    out = (out + b.toString()).slice(-200_000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`daemon did not print its URL within ${START_TIMEOUT_MS} ms; stderr: ${err.slice(-2000)}`));
    }, START_TIMEOUT_MS);
    child.stderr!.on('data', (b: Buffer) => {
      err = (err + b.toString()).slice(-200_000);
      const m = /vigil: listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with code ${code} before listening; stderr: ${err.slice(-2000)}`));
    });
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    url,
    pid: child.pid!,
    child,
    stderr: () => err,
    stdout: () => out,
    exited,
    async crash() {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (gone()) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
