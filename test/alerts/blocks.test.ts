import { describe, expect, it } from 'vitest';
import { renderAlert, summaryLine, type SlackBlock } from '../../src/alerts/blocks.js';
import { accountPayload, digestPayload, incidentPayload, testConfig, weeklyPayload, T0 } from './alert-fixtures.js';

const cfg = testConfig();

function texts(blocks: SlackBlock[]): string {
  return JSON.stringify(blocks);
}

describe('renderAlert', () => {
  it('renders an opened incident: template, count vs baseline, accounts with tiers, first seen, samples, links', () => {
    const m = renderAlert({ kind: 'incident.opened', payload: incidentPayload(), severity: 'sev1' }, cfg);
    expect(m.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: ':rotating_light: [SEV1] Error spike across 14 accounts', emoji: true } });
    const all = texts(m.blocks);
    expect(all).toContain('```PaymentGatewayError: charge failed for invoice &lt;NUM&gt; (upstream timeout after &lt;NUM&gt; ms)```');
    expect(all).toContain('312 events vs baseline 12 (26×)');
    expect(all).toContain('• Acme Corp (enterprise) — 120');
    expect(all).toContain('_and 11 more_');
    expect(all).toContain(`<!date^${Math.floor((T0 - 20 * 60_000) / 1000)}^`);
    expect(all).toContain('Samples (redacted)');
    expect(all).not.toContain('jane.doe@acme.com');
    const actions = m.blocks.find((b) => b.type === 'actions');
    expect(actions).toMatchObject({ elements: [{ url: 'http://127.0.0.1:8080/#/incidents/inc-1' }, { url: 'http://127.0.0.1:8080/v1/incidents/inc-1' }] });
    // the fallback is complete plain text, without Slack markup
    expect(m.text).toContain('[SEV1] Error spike across 14 accounts');
    expect(m.text).toContain('Error template: PaymentGatewayError: charge failed for invoice <NUM>');
    expect(m.text).toContain('First seen: 2026-11-24 13:40 UTC');
    expect(m.text).toContain('Initech (starter): 17');
    expect(m.text).not.toContain('<!date');
  });

  it('renders growth, re-open and resolution as short thread replies', () => {
    const grew = renderAlert({ kind: 'incident.grew', payload: incidentPayload({ count: 900, ratio: 75 }), coalesced: 2 }, cfg);
    expect(grew.text).toContain('Still growing: 900 events vs baseline 12 (75×), 14 accounts (2 earlier updates folded in)');
    expect(grew.blocks.some((b) => b.type === 'header')).toBe(false);
    const reopen = renderAlert({ kind: 'incident.opened', payload: incidentPayload(), reopen: true, severity: 'sev2' }, cfg);
    expect(reopen.text).toContain('Re-opened: the same error is spiking again');
    const resolved = renderAlert({ kind: 'incident.resolved', payload: incidentPayload({ resolvedAt: T0 + 25 * 60_000 }) }, cfg);
    expect(resolved.text).toContain('Resolved after 45 min: back to baseline (peak 312 events, 14 accounts)');
    expect(resolved.text).not.toContain('Error template');
    // outside its thread a follow-up repeats what it is about
    const alone = renderAlert({ kind: 'incident.resolved', payload: incidentPayload(), standalone: true }, cfg);
    expect(alone.text).toContain('Error template: PaymentGatewayError');
  });

  it('renders an account alert: score and band change, reasons, owner, action, link', () => {
    const m = renderAlert({ kind: 'account.alert', payload: accountPayload(), mention: '<@U024BE7LH>' }, cfg);
    const all = texts(m.blocks);
    expect(m.blocks[0]).toMatchObject({ type: 'header', text: { text: ':warning: Acme Corp is at-risk (enterprise)' } });
    expect(all).toContain('Health score 71 → 38 (watch → at-risk)');
    expect(all).toContain('• 3 escalations in 14 days (usually 0)');
    expect(all).toContain('*Owner*\\n<@U024BE7LH>');
    expect(all).toContain('Call the admin today');
    expect(all).toContain('http://127.0.0.1:8080/#/accounts/acc-1');
    expect(m.text.startsWith('@U024BE7LH Acme Corp is at-risk')).toBe(true);
    const first = renderAlert({ kind: 'account.alert', payload: accountPayload({ previousScore: null, previousBand: null, band: 'critical', owner: null }) }, cfg);
    expect(first.text).toContain('Health score 38 (critical)');
    expect(first.text).toContain('Owner: no owner');
  });

  it('renders the digest as a ranked list, cut to the configured length', () => {
    const m = renderAlert({ kind: 'digest.outreach', payload: digestPayload(12) }, testConfig({ digestItems: 5 }));
    expect(m.text).toContain('Proactive outreach for 2026-11-24: 12 accounts to contact');
    expect(m.text).toContain('1. Acme Corp (enterprise): score 30, critical, priority 90');
    expect(m.text).toContain('5. Hooli');
    expect(m.text).not.toContain('6. Soylent');
    expect(m.text).toContain('7 more on the outreach list');
    expect(m.blocks.find((b) => b.type === 'actions')).toMatchObject({ elements: [{ url: 'http://127.0.0.1:8080/#/outreach' }] });
  });

  it('renders the weekly report with changes against the week before', () => {
    const m = renderAlert({ kind: 'report.weekly', payload: weeklyPayload() }, cfg);
    expect(m.text).toContain('Escalation rate: 18.2% (+3.1 pt)');
    expect(m.text).toContain('Median time to human: 14 min');
    expect(m.text).toContain('Tickets: 1,840 (was 1,702)');
  });

  it('keeps within Slack limits and escapes markup in user text', () => {
    const long = 'x'.repeat(5000);
    const m = renderAlert(
      { kind: 'incident.opened', payload: incidentPayload({ template: `<script>&${long}`, samples: Array.from({ length: 10 }, () => long), topAccounts: Array.from({ length: 30 }, (_, i) => ({ accountId: `a${i}`, name: `A<${i}>`, tier: 'growth' as const, count: 30 - i })) }) },
      cfg,
    );
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    for (const b of m.blocks) {
      if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(150);
      if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
    }
    const all = texts(m.blocks);
    expect(all).toContain('&lt;script&gt;&amp;');
    expect(all).toContain('A&lt;0&gt;');
    expect((all.match(/Samples/g) ?? []).length).toBe(1);
    expect(m.text.split('\n').filter((l) => l.startsWith('  > '))).toHaveLength(cfg.redaction.maxSamples);
  });

  it('gives one summary line per kind for the quiet-hours digest', () => {
    expect(summaryLine({ kind: 'incident.grew', payload: incidentPayload(), severity: 'sev2' })).toContain('Incident grew (SEV2)');
    expect(summaryLine({ kind: 'account.alert', payload: accountPayload() })).toBe('Acme Corp (enterprise) is at-risk: score 38; Sentiment fell from +0.21 to -0.34 over 7 days');
  });
});
