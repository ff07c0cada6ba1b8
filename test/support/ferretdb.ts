// Starts and stops FerretDB (the MongoDB-protocol test database) on a loopback port, in its own
// temporary directory. Used by the global test setup, by tests that stop the database on purpose, and by bench/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const FERRETDB_VERSION = '1.24.2';
/** How long a fresh FerretDB may take to accept connections before the start counts as failed. */
const START_TIMEOUT_MS = 30_000;
const POLL_MS = 100;
/** How long a stopping FerretDB gets after SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;

/** Path of the cached binary (FERRETDB_BIN overrides), or null when it has not been built. */
export function ferretdbBinary(): string | null {
  const path =
    process.env.FERRETDB_BIN ?? join(process.env.VIGIL_CACHE_DIR ?? join(homedir(), '.cache', 'vigil'), `ferretdb-${FERRETDB_VERSION}`, 'ferretdb');
  return existsSync(path) ? path : null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export interface FerretDbInstance {
  readonly port: number;
  readonly dir: string;
  /** mongodb://127.0.0.1:<port>/ */
  readonly uri: string;
  readonly running: boolean;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period); data stays in `dir`. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

export interface StartOptions {
  binary?: string;
  port?: number;
}

/** Starts a FerretDB with a SQLite backend in a fresh temporary directory; resolves once it accepts connections. */
export async function startFerretDb(opts: StartOptions = {}): Promise<FerretDbInstance> {
  const binary = opts.binary ?? ferretdbBinary();
  if (!binary) throw new Error(`FerretDB ${FERRETDB_VERSION} is not built: run \`bash scripts/ferretdb.sh\``);
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ferretdb-'));
  let child: ChildProcess | null = null;
  let stderrTail = '';

  const launch = async (): Promise<void> => {
    stderrTail = '';
    const proc = spawn(
      binary,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${dir}/`,
        `--state-dir=${dir}`,
        `--listen-addr=127.0.0.1:${port}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    proc.stderr!.on('data', (b: Buffer) => {
      stderrTail = (stderrTail + b.toString()).slice(-2000);
    });
    child = proc;
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`FerretDB exited with code ${code} while starting: ${stderrTail}`))),
    );
    exited.catch(() => {});
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (await Promise.race([canConnect(port), exited])) return;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`FerretDB did not accept connections on port ${port} within ${START_TIMEOUT_MS} ms: ${stderrTail}`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
    await gone;
    clearTimeout(timer);
  };

  await launch();
  return {
    port,
    dir,
    uri: `mongodb://127.0.0.1:${port}/`,
    get running() {
      return child !== null;
    },
    stop,
    start: () => (child ? Promise.resolve() : launch()),
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
