// Serves the built dashboard (web/dist, from `npm run build`) at `/` next to the HTTP API.
// Only the built files and `/` are routed, so /v1, /metrics, /healthz, /readyz and /docs stay the API's.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export interface DashboardOptions {
  /** Directory of the built dashboard; default `<checkout>/web/dist`. */
  root?: string;
}

/** Hashed asset names change with their content, so browsers may keep them for good. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';
/** index.html names the current assets, so it is revalidated on every load. */
const INDEX_CACHE = 'no-cache';
/**
 * Same-origin scripts and API calls only; inline styles are allowed because the views and uPlot
 * size bars and charts through style attributes. The favicon is a data: URI.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const NOT_BUILT_PAGE =
  '<!doctype html><meta charset="utf-8"><title>Vigil</title><p>The Vigil dashboard is not built: run <code>npm run build</code> in the checkout, then reload.</p>\n';

/**
 * The checkout root: this file runs compiled as dist/src/api/dashboard.js (three levels below
 * the root) or from source as src/api/dashboard.ts under tsx/vitest (two levels below).
 */
export function checkoutRoot(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const twoUp = resolve(here, '..', '..');
  return basename(twoUp) === 'dist' ? resolve(twoUp, '..') : twoUp;
}

export function defaultDashboardDir(): string {
  return join(checkoutRoot(), 'web', 'dist');
}

export async function registerDashboard(app: FastifyInstance, opts: DashboardOptions = {}): Promise<void> {
  const dir = resolve(opts.root ?? defaultDashboardDir());
  if (!existsSync(join(dir, 'index.html'))) {
    app.log.warn({ dir }, 'dashboard not built (run `npm run build`); serving a placeholder page at /');
    app.get('/', async (_req, reply) => {
      return reply.type('text/html; charset=utf-8').header('cache-control', INDEX_CACHE).send(NOT_BUILT_PAGE);
    });
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // One route per built file (listed at start-up) instead of a catch-all `/*`, so unknown
    // paths under /v1 and friends still reach the API's own 404 handling.
    wildcard: false,
    index: ['index.html'],
    // Other plugins (e.g. API docs) may serve files too; leave reply.sendFile to them.
    decorateReply: false,
    cacheControl: false,
    schemaHide: true,
    setHeaders(reply, path) {
      const isIndex = path.endsWith('index.html');
      reply.header('cache-control', isIndex ? INDEX_CACHE : ASSET_CACHE);
      reply.header('x-content-type-options', 'nosniff');
      if (isIndex) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    },
  });
}
