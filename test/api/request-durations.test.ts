// RequestDurations exposes what prom-client's Histogram with the same name, buckets and labels
// would, for the same observations (series order, cumulative buckets, +Inf, sums), and resets.
import { describe, expect, it } from 'vitest';
import { Histogram, Registry } from 'prom-client';
import { RequestDurations } from '../../src/api/request-durations.js';

const NAME = 'test_request_duration_seconds';
const HELP = 'Request latency by method, route and status code.';
const BUCKETS = [0.001, 0.005, 0.01, 0.1, 1];

describe('RequestDurations', () => {
  it('reads in /metrics (text and JSON) as prom-client\'s Histogram does for the same observations', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const histogram = new Histogram({ name: NAME, help: HELP, labelNames: ['method', 'route', 'status_code'], buckets: BUCKETS, registers: [theirs] });
    const durations = new RequestDurations(NAME, HELP, BUCKETS, ours);
    const routes = ['/v1/accounts/:id/health', '/v1/events', 'unmatched', 'a "quoted"\\route\n'];
    let seed = 5;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 500; i++) {
      const method = next() < 0.7 ? 'GET' : 'POST';
      const route = routes[Math.floor(next() * routes.length)]!;
      const status = [200, 202, 404, 503][Math.floor(next() * 4)]!;
      // values on the bucket bounds, between them and above the last one
      const seconds = i % 10 === 0 ? BUCKETS[i % BUCKETS.length]! : next() * 2;
      histogram.observe({ method, route, status_code: status }, seconds);
      durations.observe(method, route, status, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    ours.resetMetrics();
    theirs.resetMetrics();
    durations.observe('GET', '/x', 200, 0.002);
    histogram.observe({ method: 'GET', route: '/x', status_code: 200 }, 0.002);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('refuses a value that is not a finite number, as prom-client does', () => {
    const durations = new RequestDurations(NAME, HELP, BUCKETS, new Registry());
    expect(() => durations.observe('GET', '/x', 200, NaN)).toThrow(TypeError);
  });
});
