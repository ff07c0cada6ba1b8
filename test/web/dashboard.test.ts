// registerDashboard (src/api/dashboard.ts): serves a built dashboard at `/` beside the API without
// shadowing it, with the right cache headers, and a one-line hint when nothing is built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkoutRoot, registerDashboard } from '../../src/api/dashboard.js';

let dir: string;
let app: FastifyInstance;

function api(): FastifyInstance {
  const a = Fastify({ logger: false });
  a.get('/v1/overview', async () => ({ ok: true }));
  a.get('/healthz', async () => ({ ok: true }));
  a.get('/docs/openapi.json', async () => ({ openapi: '3.1.0' }));
  a.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${req.url}` }));
  return a;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-dashboard-'));
});

afterEach(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('registerDashboard', () => {
  it('serves index.html at / and the hashed assets, beside the API routes', async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Vigil</title><script type="module" src="/assets/index-abc123.js"></script>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = api();
    await registerDashboard(app, { root: dir });

    const index = await app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.body).toContain('/assets/index-abc123.js');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toMatch(/default-src 'self'/);

    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toMatch(/immutable/);

    expect((await app.inject({ url: '/v1/overview' })).json()).toEqual({ ok: true });
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
    expect((await app.inject({ url: '/docs/openapi.json' })).json()).toEqual({ openapi: '3.1.0' });
  });

  it('leaves unknown paths to the API not-found handler', async () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    app = api();
    await registerDashboard(app, { root: dir });
    for (const url of ['/v1/nope', '/metrics/x', '/assets/missing.js', '/../package.json']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error, url).toBe('not_found');
    }
  });

  it('serves a one-line page saying to build when web/dist is missing', async () => {
    app = api();
    await registerDashboard(app, { root: join(dir, 'not-built') });
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('npm run build');
    expect(res.body.trim().split('\n')).toHaveLength(1);
    expect((await app.inject({ url: '/v1/overview' })).statusCode).toBe(200);
  });
});

describe('checkoutRoot', () => {
  it('is three levels above the compiled module and two above the source module', () => {
    const root = join(tmpdir(), 'checkout');
    expect(checkoutRoot(pathToFileURL(join(root, 'dist', 'src', 'api', 'dashboard.js')).href)).toBe(root);
    expect(checkoutRoot(pathToFileURL(join(root, 'src', 'api', 'dashboard.ts')).href)).toBe(root);
  });
});
