// Intake over HTTP (fastify inject): every kind of bad input gets a 4xx naming the field and the
// reason, the good events of a batch are kept, and a resend is not stored twice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/load.js';
import { buildServer } from '../../src/api/server.js';
import { EventLog } from '../../src/events/event-log.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/repository.js';
import { silentLogger } from '../../src/logging.js';

const WRITE = 'w'.repeat(20);
const READ = 'r'.repeat(20);

function event(i: number, extra: Record<string, unknown> = {}) {
  return { id: `ev-${i}`, type: 'ticket.message', occurredAt: '2026-11-01T10:00:00Z', accountId: 'acme', ticketId: `t-${i}`, author: 'customer', text: `hello ${i}`, ...extra };
}

describe('POST /v1/events and PUT /v1/accounts/:id', () => {
  let store: Store;
  let app: FastifyInstance;
  let log: EventLog;
  let appended = 0;

  beforeEach(async () => {
    const config = loadConfig({
      env: {},
      overrides: {
        server: { bodyLimitBytes: 64 * 1024, maxBatchEvents: 50, maxTextChars: 1000, tokens: [{ token: WRITE, scopes: ['read', 'write'] }, { token: READ, scopes: ['read'] }] },
      },
    });
    store = createMemoryStore();
    await store.init();
    log = new EventLog(store);
    appended = 0;
    app = buildServer({ config, store, logger: silentLogger(), registry: new Registry(), eventLog: log, onEventsAppended: () => appended++, clock: () => 1_000 });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
  });

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${WRITE}`, 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
    });

  it('stores a valid batch and answers 202 with counts', async () => {
    const res = await post([event(1), event(2, { type: 'ticket.csat', csat: 4 }), event(3, { type: 'error.reported', ticketId: undefined, error: 'ECONNRESET' })]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 3, duplicates: 0, rejected: 0, errors: [] });
    const stored = await log.readAfter(0, 10);
    const s0 = stored[0]!.seq;
    expect(stored.map((e) => [e.id, e.seq, e.receivedAt])).toEqual([
      ['ev-1', s0, 1000],
      ['ev-2', s0 + 1, 1000],
      ['ev-3', s0 + 2, 1000],
    ]);
    expect(stored[0]!.occurredAt).toBe(Date.parse('2026-11-01T10:00:00Z'));
    expect(appended).toBe(1);
  });

  it('does not store a resent event twice', async () => {
    await post([event(1), event(2)]);
    const res = await post([event(2), event(3), event(3)]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 1, duplicates: 2, rejected: 0 });
    expect(await log.count()).toBe(3);
  });

  it('keeps the valid events of a batch and names field and reason for each bad one', async () => {
    const res = await post([
      event(1),
      event(2, { occurredAt: 'yesterday' }),
      event(3, { type: 'ticket.exploded' }),
      event(4, { accountId: undefined, csat: 9 }),
      event(5, { tags: ['a', 7] }),
      'not an object',
      event(7, { ticketId: 42 }),
      event(8, { text: 'x'.repeat(1001) }),
      event(9),
    ]);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected).toBe(7);
    expect(body.errors).toEqual([
      { index: 1, field: 'occurredAt', reason: 'expected ISO-8601 date, got "yesterday"' },
      { index: 2, field: 'type', reason: expect.stringMatching(/^unknown event type "ticket.exploded"/) },
      { index: 3, field: 'accountId', reason: 'required' },
      { index: 3, field: 'csat', reason: 'expected an integer 1..5, got 9' },
      { index: 4, field: 'tags[1]', reason: 'expected a string, got a number' },
      { index: 5, field: '(event)', reason: 'expected a JSON object, got a string' },
      { index: 6, field: 'ticketId', reason: 'expected a string, got a number' },
      { index: 7, field: 'text', reason: 'longer than 1000 characters (1001)' },
    ]);
    expect((await log.readAfter(0, 10)).map((e) => e.id)).toEqual(['ev-1', 'ev-9']);
  });

  it('answers 400 with the per-item errors when no event of the batch is valid', async () => {
    const res = await post([{ id: 'x' }]);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('validation_failed');
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual(['type', 'occurredAt', 'accountId']);
    expect(await log.count()).toBe(0);
  });

  it('requires csat for ticket.csat and ticketId for ticket events, not for error.reported', async () => {
    const res = await post([event(1, { type: 'ticket.csat' }), event(2, { ticketId: undefined }), event(3, { type: 'error.reported', ticketId: undefined, text: undefined })]);
    expect(res.json().errors).toEqual([
      { index: 0, field: 'csat', reason: 'required for ticket.csat (an integer 1..5)' },
      { index: 1, field: 'ticketId', reason: 'required for ticket.message' },
      { index: 2, field: 'error', reason: 'required for error.reported (or give the message in text)' },
    ]);
  });

  it('refuses dates that do not exist and reads offsets', async () => {
    const res = await post([event(1, { occurredAt: '2026-02-30T00:00:00Z' }), event(2, { occurredAt: '2026-11-01T12:00:00+02:00' }), event(3, { occurredAt: 1700000000000 })]);
    expect(res.json().errors).toEqual([
      { index: 0, field: 'occurredAt', reason: 'expected ISO-8601 date, got "2026-02-30T00:00:00Z"' },
      { index: 2, field: 'occurredAt', reason: 'expected ISO-8601 date string, got a number' },
    ]);
    expect((await log.readAfter(0, 1))[0]!.occurredAt).toBe(Date.parse('2026-11-01T10:00:00Z'));
  });

  it('answers 400 naming the problem for malformed JSON, a non-array body and an empty body', async () => {
    const bad = await post('[{"id": "a",');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_json', message: expect.stringMatching(/^request body is not valid JSON: /) });
    const obj = await post(event(1));
    expect(obj.statusCode).toBe(400);
    expect(obj.json().message).toBe('body: expected a JSON array of events, got an object');
    const empty = await post('');
    expect(empty.statusCode).toBe(400);
    expect(await log.count()).toBe(0);
  });

  it('answers 400 for a body that is not valid UTF-8, with the offset', async () => {
    const prefix = Buffer.from('[{"id":"a","text":"caf');
    const body = Buffer.concat([prefix, Buffer.from([0xc3, 0x28]), Buffer.from('"}]')]);
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_utf8', message: `request body is not valid UTF-8 (first bad byte at offset ${prefix.length})` });
  });

  it('answers 413 for a body over the byte limit and for too many events', async () => {
    const big = await post([event(1, { text: 'x'.repeat(70 * 1024) })]);
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: 'payload_too_large', message: expect.stringContaining('65536 bytes') });
    const many = await post(Array.from({ length: 51 }, (_, i) => event(i)));
    expect(many.statusCode).toBe(413);
    expect(many.json()).toEqual({ error: 'too_many_events', message: 'batch holds 51 events; the limit is 50 per request (server.maxBatchEvents): split it' });
    expect(await log.count()).toBe(0);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await post('id,type', { 'content-type': 'text/csv' });
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toBe('unsupported_media_type');
  });

  it('answers 401 without or with an unknown token and 403 without the write scope', async () => {
    const none = await app.inject({ method: 'POST', url: '/v1/events', payload: [event(1)] });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const unknown = await post([event(1)], { authorization: `Bearer ${'z'.repeat(20)}` });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual({ error: 'unauthorized', message: 'unknown token' });
    const malformed = await post([event(1)], { authorization: `Basic abc` });
    expect(malformed.statusCode).toBe(401);
    const readOnly = await post([event(1)], { authorization: `Bearer ${READ}` });
    expect(readOnly.statusCode).toBe(403);
    expect(readOnly.json()).toEqual({ error: 'forbidden', message: 'this token lacks the "write" scope' });
    expect(await log.count()).toBe(0);
  });

  it('upserts an account and names the field of a bad one', async () => {
    const put = (id: string, body: unknown, token = WRITE) =>
      app.inject({ method: 'PUT', url: `/v1/accounts/${id}`, headers: { authorization: `Bearer ${token}` }, payload: body as object });
    const created = await put('acme', { name: 'Acme', tier: 'enterprise', arr: 120000, renewalDate: '2027-01-31', owner: { name: 'Dana', slackUserId: 'U1' } });
    expect(created.statusCode).toBe(201);
    const replaced = await put('acme', { name: 'Acme Inc', tier: 'growth' });
    expect(replaced.statusCode).toBe(200);
    expect(await store.collection('accounts').get('acme')).toMatchObject({ _id: 'acme', accountId: 'acme', name: 'Acme Inc', tier: 'growth' });
    const bad = await put('acme', { name: 'Acme', tier: 'gold', renewalDate: '2027-13-01', owner: { slackUserId: 'U1' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^tier: unknown tier "gold"/);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['tier', 'renewalDate', 'owner.name']);
    const mismatch = await put('acme', { accountId: 'other', name: 'A', tier: 'starter' });
    expect(mismatch.json().errors[0]).toMatchObject({ field: 'accountId', reason: 'does not match the id in the path ("acme")' });
    expect((await put('acme', { name: 'A', tier: 'starter' }, READ)).statusCode).toBe(403);
  });

  it('serves healthz, readyz and metrics with intake counters', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    await post([event(1), event(1), { id: 'bad' }]);
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/vigil_events_accepted_total 1\b/);
    expect(metrics.body).toMatch(/vigil_events_duplicate_total 1\b/);
    expect(metrics.body).toMatch(/vigil_events_rejected_total 1\b/);
    expect(metrics.body).toMatch(/vigil_http_request_duration_seconds_count\{method="POST",route="\/v1\/events",status_code="202"\} 1/);
    await store.close();
    const down = await app.inject({ url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json().status).toBe('unavailable');
  });

  it('answers 404 in the same error shape', async () => {
    const res = await app.inject({ url: '/v1/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not_found', message: 'no route GET /v1/nothing' });
  });
});
