// Write side of the HTTP API: POST /v1/events (a batch, validated per item, good events stored
// even when others are refused) and PUT /v1/accounts/:id (upsert of one account).
import type { FastifyInstance } from 'fastify';
import type { VigilConfig } from '../config/schema.js';
import type { EventLog } from '../events/event-log.js';
import type { Account, FieldError } from '../events/types.js';
import { validateAccount, validateEvents } from '../events/validate.js';
import type { Store } from '../store/repository.js';
import { HttpError } from './errors.js';
import type { IntakeMetrics } from './metrics.js';

export interface IntakeDeps {
  config: VigilConfig;
  store: Store;
  eventLog: EventLog;
  metrics: IntakeMetrics;
  /** Called after events were stored (wakes the pipeline). */
  onEventsAppended?: () => void;
  /** Called after an account was stored (refreshes the daemon's account cache). */
  onAccountUpserted?: (account: Account) => void;
  /** Wall clock of intake (receivedAt); tests pass a fixed one. */
  clock?: () => number;
}

export interface IntakeAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: FieldError[];
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function registerIntakeRoutes(app: FastifyInstance, deps: IntakeDeps): void {
  const { config, eventLog, metrics } = deps;
  const clock = deps.clock ?? Date.now;
  const limits = { maxTextChars: config.server.maxTextChars };
  const maxBatch = config.server.maxBatchEvents;
  const accounts = deps.store.collection<Account & { _id: string; updatedAt: number }>('accounts');

  app.post('/v1/events', { preHandler: app.requireScope('write') }, async (req, reply) => {
    const body = req.body;
    if (!Array.isArray(body)) {
      throw new HttpError(400, 'invalid_body', `body: expected a JSON array of events, got ${kindOf(body)}`);
    }
    if (body.length > maxBatch) {
      throw new HttpError(413, 'too_many_events', `batch holds ${body.length} events; the limit is ${maxBatch} per request (server.maxBatchEvents): split it`);
    }
    const { events, errors } = validateEvents(body, limits);
    const rejected = body.length - events.length;
    const res = events.length > 0 ? await eventLog.append(events, clock()) : { accepted: 0, duplicates: 0 };
    metrics.accepted.inc(res.accepted);
    metrics.duplicates.inc(res.duplicates);
    metrics.rejected.inc(rejected);
    if (res.accepted > 0) deps.onEventsAppended?.();
    const answer: IntakeAnswer = { accepted: res.accepted, duplicates: res.duplicates, rejected, errors };
    if (events.length === 0 && rejected > 0) {
      // nothing in the batch was usable: a client error, with the same per-item detail
      return reply.code(400).send({ error: 'validation_failed', message: `all ${rejected} events were rejected; see errors for each field and reason`, ...answer });
    }
    return reply.code(202).send(answer);
  });

  app.put<{ Params: { id: string } }>('/v1/accounts/:id', { preHandler: app.requireScope('write') }, async (req, reply) => {
    const res = validateAccount(req.body, req.params.id);
    if (!res.ok) {
      const first = res.errors[0]!;
      throw new HttpError(400, 'validation_failed', `${first.field}: ${first.reason}`, res.errors.map((e) => ({ index: 0, ...e })));
    }
    const account = res.value;
    const existed = (await accounts.get(account.accountId)) !== null;
    await accounts.put({ ...account, _id: account.accountId, updatedAt: clock() });
    deps.onAccountUpserted?.(account);
    return reply.code(existed ? 200 : 201).send({ account, created: !existed });
  });
}
