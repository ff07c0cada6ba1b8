// Builds the HTTP server: strict JSON body parsing (invalid JSON or UTF-8 is a 400 that says so),
// one error shape, bearer-token scopes, health and readiness probes, metrics and the intake routes.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { VigilConfig } from '../config/schema.js';
import type { EventLog } from '../events/event-log.js';
import type { Account } from '../events/types.js';
import type { Store } from '../store/repository.js';
import { installAuth } from './auth.js';
import { HttpError, installErrorHandler } from './errors.js';
import { registerIntakeRoutes } from './intake-routes.js';
import { installMetrics } from './metrics.js';

export interface ServerDeps {
  config: VigilConfig;
  store: Store;
  logger: Logger;
  registry: Registry;
  eventLog: EventLog;
  onEventsAppended?: () => void;
  onAccountUpserted?: (account: Account) => void;
  /** Readiness beyond the store's ping (default: the store answers). */
  isReady?: () => Promise<boolean>;
  /** Wall clock for receivedAt (tests). */
  clock?: () => number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a JSON body from raw bytes, refusing invalid UTF-8 instead of silently replacing it. */
function parseJsonBody(buf: Buffer): unknown {
  if (buf.length === 0) throw new HttpError(400, 'empty_body', 'request body is empty; expected JSON');
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    const at = firstInvalidUtf8(buf);
    throw new HttpError(400, 'invalid_utf8', `request body is not valid UTF-8 (first bad byte at offset ${at})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'invalid_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Offset of the first byte of the first sequence that is not UTF-8 (for the error message). */
function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= buf.length) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += need + 1;
  }
  return buf.length;
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const { config, store, logger, registry } = deps;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.server.bodyLimitBytes,
    // per-request lines would dominate the log at intake rates; errors are logged by the handler
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  installErrorHandler(app, config.server.bodyLimitBytes);
  installAuth(app, config.server.tokens);
  const metrics = installMetrics(app, registry);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    let ready: boolean;
    try {
      ready = (await store.ping()) && (deps.isReady ? await deps.isReady() : true);
    } catch {
      ready = false;
    }
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', store: store.kind, durable: store.durable });
  });

  registerIntakeRoutes(app, {
    config,
    store,
    eventLog: deps.eventLog,
    metrics,
    onEventsAppended: deps.onEventsAppended,
    onAccountUpserted: deps.onAccountUpserted,
    clock: deps.clock,
  });
  return app;
}

/**
 * Graceful shutdown: on the first of `signals`, stop intake (close the server; requests in
 * flight finish), then run `afterClose` (flush, checkpoint, close the store). Returns an uninstaller.
 */
export function closeOnSignals(app: FastifyInstance, afterClose: () => Promise<void>, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): () => void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: intake stopped, flushing');
    app
      .close()
      .then(afterClose)
      .then(
        () => app.log.info('shutdown complete'),
        (err) => {
          app.log.error({ err }, 'shutdown failed');
          process.exitCode = 1;
        },
      );
  };
  for (const s of signals) process.once(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
