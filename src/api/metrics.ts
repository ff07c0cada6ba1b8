// Prometheus metrics of the HTTP layer and intake (request latency, events accepted, rejected and
// duplicate), registered on the daemon's prom-client Registry and served at GET /metrics.
import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { RequestDurations } from './request-durations.js';

export interface IntakeMetrics {
  accepted: Counter;
  rejected: Counter;
  duplicates: Counter;
}

/** Latency buckets (seconds): loopback intake answers in milliseconds; a slow store shows up in the top buckets. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A metric of this name already on the registry (a second server in one process), or a new one. */
function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function installMetrics(app: FastifyInstance, registry: Registry): IntakeMetrics {
  const duration = once(registry, 'vigil_http_request_duration_seconds', () => new RequestDurations('vigil_http_request_duration_seconds', 'HTTP request latency by method, route and status code.', LATENCY_BUCKETS, registry));
  const metrics: IntakeMetrics = {
    accepted: once(registry, 'vigil_events_accepted_total', () => new Counter({ name: 'vigil_events_accepted_total', help: 'Events stored in the event log.', registers: [registry] })),
    rejected: once(registry, 'vigil_events_rejected_total', () => new Counter({ name: 'vigil_events_rejected_total', help: 'Events refused by validation.', registers: [registry] })),
    duplicates: once(registry, 'vigil_events_duplicate_total', () => new Counter({ name: 'vigil_events_duplicate_total', help: 'Events already in the log (resends), not stored again.', registers: [registry] })),
  };
  // fastify times every request from its arrival (reply.elapsedTime); a callback hook, not an async
  // one, so observing costs no promise per request (and the histogram no label key)
  app.addHook('onResponse', (req, reply, done) => {
    duration.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('Content-Type', registry.contentType);
    return registry.metrics();
  });
  return metrics;
}
