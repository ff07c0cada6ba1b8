// Intake while the database is away: 503 with Retry-After (nothing acknowledged that was not
// stored), /readyz says unavailable, and intake resumes by itself once the database is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/load.js';
import { buildServer } from '../../src/api/server.js';
import { EventLog } from '../../src/events/event-log.js';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import type { Store } from '../../src/store/repository.js';
import { silentLogger } from '../../src/logging.js';
import { STORE_RETRY_AFTER_S } from '../../src/api/errors.js';
import { mongoUriOrSkip, startFerretDb, type FerretDbInstance } from '../support/mongo.js';

const available = mongoUriOrSkip() !== null;
/** Bound on waiting for the driver to find the restarted database. */
const RECOVERY_ATTEMPTS = 40;

const event = (id: string) => ({ id, type: 'ticket.created', occurredAt: '2026-11-01T00:00:00Z', accountId: 'a', ticketId: 't' });

describe.skipIf(!available)('intake during a database outage', () => {
  let db: FerretDbInstance;
  let store: Store;
  let app: FastifyInstance;
  let log: EventLog;
  beforeAll(async () => {
    db = await startFerretDb();
    const config = loadConfig({ env: {}, overrides: { store: { mongoUri: db.uri, database: 'outage', writeRetries: 1, retryBaseMs: 20 } } });
    store = createMongoStore(config.store, silentLogger(), { serverSelectionTimeoutMs: 500 });
    await store.init();
    log = new EventLog(store);
    app = buildServer({ config, store, logger: silentLogger(), registry: new Registry(), eventLog: log });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await db?.destroy();
  });

  const post = (ids: string[]) => app.inject({ method: 'POST', url: '/v1/events', payload: ids.map(event) });

  it('answers 503 with Retry-After while the database is down and takes events again after', async () => {
    expect((await post(['o-1'])).statusCode).toBe(202);
    await db.stop();
    const down = await post(['o-2']);
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe(String(STORE_RETRY_AFTER_S));
    expect(down.json()).toMatchObject({ error: 'store_unavailable' });
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    await db.start();
    let status = 0;
    for (let i = 0; i < RECOVERY_ATTEMPTS && status !== 202; i++) {
      status = (await post(['o-2'])).statusCode;
      if (status !== 202) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(202);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect((await log.readAfter(0, 10)).map((e) => e.id)).toEqual(['o-1', 'o-2']);
  });
});
