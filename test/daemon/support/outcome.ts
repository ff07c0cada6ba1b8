// What a pipeline run leaves in its store, reduced to what must not depend on crashes, restarts or
// takeovers: health per account, incidents, clusters, the escalation summary and the alert keys.
import type { Store } from '../../../src/store/repository.js';

export interface RunOutcome {
  processed: number;
  late: number;
  /** accountId -> score and band of the final health document. */
  health: Record<string, { score: number; band: string }>;
  /** incident id -> what the incident document says about the spike. */
  incidents: Record<string, { status: string; accountsAffected: number; peakCount: number; openedAt: number; resolvedAt: number | null; timeline: string[] }>;
  /** cluster id -> events counted in it. */
  clusters: Record<string, number>;
  escalation: unknown;
  /** Every alert document's dedupe key (its `_id`), sorted. */
  alertKeys: string[];
  alertKinds: Record<string, number>;
}

interface CheckpointLike {
  _id: string;
  processed: number;
  late: number;
}

export async function readOutcome(store: Store): Promise<RunOutcome> {
  const cp = await store.collection<CheckpointLike>('kv').get('checkpoint:pipeline');
  const health: RunOutcome['health'] = {};
  for (const h of await store.collection<{ _id: string; score: number; band: string }>('health').find({})) health[h._id] = { score: h.score, band: h.band };
  const incidents: RunOutcome['incidents'] = {};
  type Inc = { _id: string; status: string; accountsAffected: number; peakCount: number; openedAt: number; resolvedAt: number | null; timeline: Array<{ at: number; kind: string; count: number; accounts: number }> };
  for (const i of await store.collection<Inc>('incidents').find({})) {
    incidents[i._id] = {
      status: i.status,
      accountsAffected: i.accountsAffected,
      peakCount: i.peakCount,
      openedAt: i.openedAt,
      resolvedAt: i.resolvedAt,
      timeline: i.timeline.map((t) => `${t.kind}@${t.at}:${t.count}/${t.accounts}`),
    };
  }
  const clusters: RunOutcome['clusters'] = {};
  for (const c of await store.collection<{ _id: string; count: number }>('clusters').find({})) clusters[c._id] = c.count;
  const esc = await store.collection<{ _id: string; summary: unknown }>('kv').get('escalation');
  const alerts = await store.collection<{ _id: string; kind: string }>('alerts').find({});
  const alertKinds: Record<string, number> = {};
  for (const a of alerts) alertKinds[a.kind] = (alertKinds[a.kind] ?? 0) + 1;
  return {
    processed: cp?.processed ?? 0,
    late: cp?.late ?? 0,
    health,
    incidents,
    clusters,
    escalation: esc?.summary ?? null,
    alertKeys: alerts.map((a) => a._id).sort(),
    alertKinds,
  };
}

/** Keys present in one list and not the other, for a readable failure message. */
export function keyDiff(a: string[], b: string[]): { onlyInFirst: string[]; onlyInSecond: string[] } {
  const sa = new Set(a);
  const sb = new Set(b);
  return { onlyInFirst: a.filter((k) => !sb.has(k)), onlyInSecond: b.filter((k) => !sa.has(k)) };
}

/** Accounts whose score or band differ between two outcomes (first few), for failure messages. */
export function healthDiff(a: RunOutcome, b: RunOutcome, max = 10): string[] {
  const out: string[] = [];
  for (const id of new Set([...Object.keys(a.health), ...Object.keys(b.health)])) {
    const x = a.health[id];
    const y = b.health[id];
    if (!x || !y || x.score !== y.score || x.band !== y.band) out.push(`${id}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
    if (out.length >= max) break;
  }
  return out;
}
