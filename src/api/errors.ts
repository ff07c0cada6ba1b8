// The API's error answers: one JSON shape `{error, message, errors?}` for every 4xx/5xx, a typed
// HttpError routes throw, and the handler that maps fastify's own errors (413, 415, ...) onto it.
import type { FastifyError, FastifyInstance } from 'fastify';
import type { FieldError } from '../events/types.js';
import { StoreUnavailableError } from '../store/repository.js';
import { WriteInFlightError } from '../events/event-log.js';

export interface ErrorBody {
  /** A stable machine-readable code (`invalid_json`, `payload_too_large`, ...). */
  error: string;
  /** One human sentence naming what was wrong. */
  message: string;
  errors?: FieldError[];
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Seconds a client is told to wait (Retry-After) when the database is away; long enough for a
 * restart or failover, short enough that a batching sender does not pile up much.
 */
export const STORE_RETRY_AFTER_S = 5;

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_VALIDATION: 'validation_failed',
};

export function installErrorHandler(app: FastifyInstance, bodyLimitBytes: number): void {
  app.setErrorHandler((err: FastifyError | HttpError | StoreUnavailableError | WriteInFlightError, req, reply) => {
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
      const body: ErrorBody = { error: err.error, message: err.message, ...(err.errors ? { errors: err.errors } : {}) };
      return reply.code(err.statusCode).send(body);
    }
    if (err instanceof WriteInFlightError) {
      const secs = Math.ceil(err.retryAfterMs / 1000);
      return reply
        .code(503)
        .header('Retry-After', String(secs))
        .send({ error: 'write_in_flight', message: `${err.message}; the rest of the batch was stored, resend the whole batch (duplicates are recognised)` } satisfies ErrorBody);
    }
    if (err instanceof StoreUnavailableError) {
      req.log.warn({ err: err.message }, 'store unavailable: answering 503');
      return reply
        .code(503)
        .header('Retry-After', String(STORE_RETRY_AFTER_S))
        .send({ error: 'store_unavailable', message: `the database is not reachable; nothing was stored, retry in ${STORE_RETRY_AFTER_S} s` } satisfies ErrorBody);
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply.code(status).send({ error: 'internal_error', message: 'internal error; see the server log' } satisfies ErrorBody);
    }
    const code = (err.code && FASTIFY_CODES[err.code]) || 'bad_request';
    const message =
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `request body is larger than the limit of ${bodyLimitBytes} bytes (server.bodyLimitBytes); send smaller batches`
        : err.message;
    return reply.code(status).send({ error: code, message } satisfies ErrorBody);
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } satisfies ErrorBody);
  });
}
