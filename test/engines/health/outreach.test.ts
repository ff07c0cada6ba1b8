import { describe, expect, it } from 'vitest';
import type { Account } from '../../../src/events/types.js';
import { bandOf, COMPONENT_NAMES, type HealthResult } from '../../../src/engines/health/health-score.js';
import { applyOutcome, decideOutreach, rankOutreach, type OutreachEntry } from '../../../src/engines/health/outreach.js';
import { cfg, DAY, T0 } from './helpers.js';

const c = cfg();
function health(accountId: string, score: number, priority = 100 - score): HealthResult {
  return {
    accountId, score, band: bandOf(score, c), components: [], priority, priorityReasons: [], topReasons: [`reason at ${score}`],
    suggestedAction: 'call them', features: COMPONENT_NAMES.map(() => (100 - score) / 100), sentiment: null, ticketsToday: 0,
  };
}
const acct: Account = { accountId: 'a1', name: 'Acme', tier: 'growth', owner: { name: 'Dana', slackUserId: 'U1' } };

/** Runs a score sequence through the lifecycle like the daemon does: keep whatever entry comes back. */
function run(scores: number[], start?: OutreachEntry): { entry: OutreachEntry | undefined; changes: string[] } {
  let entry = start;
  const changes: string[] = [];
  scores.forEach((score, i) => {
    const d = decideOutreach(entry, health('a1', score), acct, T0 + i * DAY, c);
    changes.push(d.change);
    if (d.entry) entry = d.entry;
  });
  return { entry, changes };
}

describe('outreach lifecycle', () => {
  it('opens one entry when the account falls below the threshold, then only updates it', () => {
    const below = c.outreach.openBelowScore;
    const { entry, changes } = run([90, below - 5, below - 6, below - 20, below - 21]);
    expect(changes).toEqual(['none', 'opened', 'none', 'updated', 'none']);
    expect(entry!.id).toBe('out-a1');
    expect(entry!.status).toBe('new');
    expect(entry!.owner).toEqual({ name: 'Dana', slackUserId: 'U1' });
    expect(entry!.score).toBe(below - 20);
  });

  it('reopens a resolved entry only when the account worsens again', () => {
    const below = c.outreach.openBelowScore;
    const opened = run([below - 10]).entry!;
    const resolved = applyOutcome(opened, { status: 'resolved', outcome: 'saved' }, T0 + DAY).entry;
    expect(resolved.status).toBe('resolved');
    // Same level or slightly better: stays closed (a better score is only remembered).
    const calm = run([below - 10, below - 5], resolved);
    expect(calm.changes).toEqual(['none', 'tracked']);
    expect(calm.entry!.status).toBe('resolved');
    // Clearly worse than when it was closed: reopened, same entry, not a duplicate.
    const worse = run([below - 10 - c.outreach.reopenWorsenBy], resolved);
    expect(worse.changes).toEqual(['reopened']);
    expect(worse.entry!.id).toBe(opened.id);
    expect(worse.entry!.status).toBe('new');
    expect(worse.entry!.reopened).toBe(1);
    // Recovered, then fell again: reopened too.
    const again = run([c.outreach.reopenAfterRecovery + 1, below - 2], resolved);
    expect(again.changes).toEqual(['tracked', 'reopened']);
  });

  it('ranks open entries by priority, so the same trouble at a bigger account comes first', () => {
    const mk = (id: string, priority: number, status: OutreachEntry['status']): OutreachEntry => ({
      ...run([40]).entry!, id: `out-${id}`, accountId: id, priority, status,
    });
    const ranked = rankOutreach([mk('starter', 60, 'new'), mk('closed', 500, 'resolved'), mk('enterprise', 90, 'contacted'), mk('growth', 72, 'new')]);
    expect(ranked.map((e) => e.accountId)).toEqual(['enterprise', 'growth', 'starter', 'closed']);
  });

  it('turns outcomes into labels: saved and churned are 1, a false alarm is 0', () => {
    const e = run([40]).entry!;
    expect(applyOutcome(e, { status: 'contacted' }, T0).label).toBeUndefined();
    expect(applyOutcome(e, { status: 'resolved', outcome: 'saved' }, T0).label!.label).toBe(1);
    expect(applyOutcome(e, { status: 'resolved', outcome: 'churned' }, T0).label!.label).toBe(1);
    const fa = applyOutcome(e, { status: 'dismissed', outcome: 'false_alarm' }, T0);
    expect(fa.label!.label).toBe(0);
    expect(fa.label!.features).toEqual(e.features);
    expect(fa.entry.closedScore).toBe(e.score);
  });

  it('decides on the headline numbers alone and builds the explanation only for an entry it writes', () => {
    const below = c.outreach.openBelowScore;
    let eager: OutreachEntry | undefined;
    let lazy: OutreachEntry | undefined;
    let explainedCalls = 0;
    let changes = 0;
    const scores = [90, 88, below - 5, below - 6, below - 20, below - 21, 95, below - 30];
    scores.forEach((score, i) => {
      const h = health('a1', score);
      const a = decideOutreach(eager, h, acct, T0 + i * DAY, c);
      const calls = explainedCalls;
      const b = decideOutreach(lazy, { accountId: 'a1', score, band: h.band, sentiment: null, ticketsToday: 0, explained: () => (explainedCalls++, h) }, acct, T0 + i * DAY, c);
      expect(b).toEqual(a);
      // 'tracked' only moves bookkeeping; an entry that is filled from the score needs its explanation
      expect(explainedCalls - calls).toBe(a.change === 'none' || a.change === 'tracked' ? 0 : 1);
      if (a.change !== 'none') changes++;
      if (i === 5 && a.entry) {
        eager = applyOutcome(a.entry, { status: 'resolved' }, T0 + i * DAY).entry;
        lazy = eager;
        return;
      }
      if (a.entry) eager = a.entry;
      if (b.entry) lazy = b.entry;
    });
    expect(changes).toBeGreaterThan(2);
  });
});
