// A well-behaved intake client for the e2e tests: posts events in fixed batches and resends a batch
// until it is acknowledged (202), honouring Retry-After; resends are deduplicated by event id.
import type { VigilEvent } from '../../../src/events/types.js';

export interface BatchOutcome {
  /** Index of the batch. */
  index: number;
  attempts: number;
  /** Sum over the attempts that got a 202. */
  accepted: number;
  duplicates: number;
  /** Answers other than 202: status (0 = no answer) and the Retry-After header. */
  failures: Array<{ status: number; retryAfter: string | null; error?: string; at: number; ms: number }>;
}

export interface IntakeClientOptions {
  url: () => string;
  token: string;
  batchSize: number;
  /** Wait after a failure with no Retry-After (connection refused while the daemon restarts). */
  retryMs: number;
  /** Upper bound of any wait, so a test with a long Retry-After keeps its pace. */
  maxWaitMs: number;
  /** Give up (throw) when one batch has not been acknowledged after this long. */
  batchDeadlineMs: number;
  /** Called after each acknowledged batch. */
  onBatch?: (b: BatchOutcome) => void | Promise<void>;
}

/** The 202 answer of POST /v1/events (other answers leave fields out). */
interface IntakeBody {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors?: unknown[];
}

export function toWire(e: VigilEvent): Record<string, unknown> {
  return { ...e, occurredAt: new Date(e.occurredAt).toISOString() };
}

export async function postBatch(url: string, token: string, batch: unknown[]): Promise<{ status: number; retryAfter: string | null; body: IntakeBody; error?: string }> {
  try {
    const res = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(batch),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the failure message
    }
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: body as IntakeBody };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { status: 0, retryAfter: null, body: { accepted: 0, duplicates: 0, rejected: 0 }, error: `${(err as Error).name}: ${(err as Error).message}${cause ? ` (${cause})` : ''}` };
  }
}

/** Posts every event, batch by batch, in order; resolves with one outcome per batch. */
export async function postAll(events: VigilEvent[], opts: IntakeClientOptions): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  for (let i = 0, index = 0; i < events.length; i += opts.batchSize, index++) {
    const batch = events.slice(i, i + opts.batchSize).map(toWire);
    const o: BatchOutcome = { index, attempts: 0, accepted: 0, duplicates: 0, failures: [] };
    const deadline = Date.now() + opts.batchDeadlineMs;
    for (;;) {
      o.attempts++;
      const sentAt = Date.now();
      const r = await postBatch(opts.url(), opts.token, batch);
      if (r.status === 202) {
        o.accepted += r.body.accepted;
        o.duplicates += r.body.duplicates;
        if (r.body.rejected !== 0) throw new Error(`batch ${index}: ${r.body.rejected} events rejected: ${JSON.stringify(r.body.errors?.slice(0, 3))}`);
        break;
      }
      if (r.status !== 0 && r.status !== 503 && r.status < 500) throw new Error(`batch ${index}: unexpected ${r.status}: ${JSON.stringify(r.body)}`);
      o.failures.push({ status: r.status, retryAfter: r.retryAfter, ...(r.error ? { error: r.error } : {}), at: sentAt, ms: Date.now() - sentAt });
      if (Date.now() > deadline) throw new Error(`batch ${index}: not acknowledged within ${opts.batchDeadlineMs} ms; last answers: ${JSON.stringify(o.failures.slice(-4))}`);
      const hinted = r.retryAfter !== null ? Number(r.retryAfter) * 1000 : opts.retryMs;
      await new Promise((res) => setTimeout(res, Math.min(opts.maxWaitMs, hinted)));
    }
    outcomes.push(o);
    await opts.onBatch?.(o);
  }
  return outcomes;
}
