// The HTTP request latency histogram by method, route and status code, as a prom-client metric
// that records without allocating (prom-client's own Histogram builds a label key every observation).
import type { Registry } from 'prom-client';

/** One line of the exposition, as prom-client's registry reads it from a metric's get(). */
interface ExposedValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
  /** prom-client's buckets carry one (null without exemplars); kept so the JSON reads the same. */
  exemplar?: null;
}

interface Series {
  labels: { method: string; route: string; status_code: number };
  /** Observations per bucket (not cumulative), by the index of the bucket's upper bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * The same exposition as prom-client's Histogram with labelNames method, route and status_code
 * (series in the order they were first observed, cumulative buckets, +Inf, _sum, _count), so
 * /metrics reads the same; observing one request is three map lookups and a few additions.
 */
export class RequestDurations {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series: Series[] = [];
  /** Series by route, method and status code. */
  private readonly index = new Map<string, Map<string, Map<number, Series>>>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  observe(method: string, route: string, statusCode: number, seconds: number): void {
    if (!Number.isFinite(seconds)) throw new TypeError(`${this.name}: not a valid number: ${seconds}`);
    let byMethod = this.index.get(route);
    if (!byMethod) this.index.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let s = byStatus.get(statusCode);
    if (!s) {
      s = { labels: { method, route, status_code: statusCode }, counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      byStatus.set(statusCode, s);
      this.series.push(s);
    }
    // the first bucket whose upper bound holds the value; above the last one only +Inf counts it
    for (let i = 0; i < this.buckets.length; i++) {
      if (seconds <= this.buckets[i]!) {
        s.counts[i]!++;
        break;
      }
    }
    s.sum += seconds;
    s.count++;
  }

  async get(): Promise<{ name: string; help: string; type: 'histogram'; values: ExposedValue[]; aggregator: 'sum' }> {
    const values: ExposedValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const s of this.series) {
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.counts[i]!;
        values.push({ labels: { le: this.buckets[i]!, ...s.labels }, value: acc, metricName: bucketName, exemplar: null });
      }
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: bucketName, exemplar: null });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.series.length = 0;
    this.index.clear();
  }
}
