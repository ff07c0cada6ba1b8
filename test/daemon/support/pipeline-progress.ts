// Polls a running daemon's pipeline figures (GET /v1/overview -> pipeline) until a condition
// holds or a deadline passes, so e2e tests wait for processing without sleeping blindly.
export interface PipelineFigures {
  active: boolean;
  instanceId: string;
  readSeq?: number;
  held?: number;
  late?: number;
  processed?: number;
}

export async function pipelineFigures(url: string, token: string): Promise<PipelineFigures | null> {
  try {
    const res = await fetch(`${url}/v1/overview`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) return null;
    const body = (await res.json()) as { pipeline: PipelineFigures | null };
    return body.pipeline;
  } catch {
    return null;
  }
}

/** Resolves with the figures once `done(figures)` holds; throws after `timeoutMs`. */
export async function waitForPipeline(url: () => string, token: string, done: (f: PipelineFigures) => boolean, timeoutMs: number, pollMs = 500): Promise<PipelineFigures> {
  const deadline = Date.now() + timeoutMs;
  let last: PipelineFigures | null = null;
  for (;;) {
    last = (await pipelineFigures(url(), token)) ?? last;
    if (last && done(last)) return last;
    if (Date.now() > deadline) throw new Error(`pipeline condition not reached within ${timeoutMs} ms; last figures: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** One value of the daemon's Prometheus metrics (no store access: answers even when the store hangs). */
export async function metricValue(url: string, name: string): Promise<number | null> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(await res.text());
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
