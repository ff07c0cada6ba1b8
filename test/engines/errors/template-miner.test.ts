// The streaming template miner: grouping through masks and generalization, stable ids derived from
// templates, merges with resolvable aliases, snapshot/restore, the eviction bound and hostile input.
import { describe, expect, it } from 'vitest';
import { errorsConfig } from '../../../src/engines/errors/config.js';
import { templateId } from '../../../src/engines/errors/cluster-id.js';
import { DEFAULT_MASKS } from '../../../src/engines/errors/masks.js';
import { digitAgnostic, SnapshotError, TemplateMiner, type MinerResult } from '../../../src/engines/errors/template-miner.js';

const cfg = errorsConfig.parse({});

/** A small realistic stream: a few error kinds with varying ids, numbers, hosts and names. */
function stream(n: number): string[] {
  const users = ['alice', 'bob', 'carol', 'dave', 'erin'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    switch (i % 5) {
      case 0: out.push(`Timeout after ${100 + (i % 7) * 13}ms calling https://api.acme.io/v${i % 3}/orders/${i}`); break;
      case 1: out.push(`Failed to sync contact ${users[Math.floor(i / 5) % users.length]} with CRM backend after retries`); break;
      case 2: out.push(`Payment ${(i * 7919).toString(16)}abc declined: card expired for account acct_${i}x`); break;
      case 3: out.push(`Could not connect to db-${i % 4}.prod.acme.io:5432 (connection refused)`); break;
      default: out.push(`NullPointerException at com.acme.Export.run(Export.java:${i % 90})`);
    }
  }
  return out;
}

describe('TemplateMiner', () => {
  it('groups messages that differ only in masked values or a generalized word', () => {
    const m = new TemplateMiner(cfg);
    const results = stream(50).map((s) => m.add(s));
    expect(new Set(results.map((r) => m.resolve(r.clusterId))).size).toBe(5);
    const contact = m.get(results[1]!.clusterId)!;
    expect(contact.template).toBe('Failed to sync contact <*> with CRM backend after retries');
    expect(contact.size).toBe(10);
  });

  it('reports what changed: created, generalized, none', () => {
    const m = new TemplateMiner(cfg);
    const a = m.add('Failed to sync contact alice with CRM backend after retries');
    const b = m.add('Failed to sync contact bob with CRM backend after retries');
    const c = m.add('Failed to sync contact carol with CRM backend after retries');
    expect([a.change, b.change, c.change]).toEqual(['created', 'generalized', 'none']);
    // The id derives from the first template and stays when the template generalizes.
    expect(a.clusterId).toBe(templateId('Failed to sync contact alice with CRM backend after retries'));
    expect(b.clusterId).toBe(a.clusterId);
    expect(b.template).toBe('Failed to sync contact <*> with CRM backend after retries');
  });

  it('is deterministic: two miners fed the same stream agree on every result', () => {
    const one = new TemplateMiner(cfg);
    const two = new TemplateMiner(cfg);
    const s = stream(400);
    expect(s.map((x) => two.add(x, 5))).toEqual(s.map((x) => one.add(x, 5)));
    expect(two.snapshot()).toBe(one.snapshot());
  });

  it('keeps different errors apart', () => {
    const m = new TemplateMiner(cfg);
    const a = m.add('Export failed: disk quota exceeded on volume data');
    const b = m.add('Import failed: schema mismatch in column email');
    const c = m.add('authentication failure; user=root rhost=10.1.1.1');
    const d = m.add('authentication failure; user=guest rhost=10.1.1.2');
    expect(new Set([a, b, c, d].map((r) => r.clusterId)).size).toBe(4);
  });

  it('merges clusters when one comes to cover another, and resolves the alias', () => {
    // One candidate per scan lets a second cluster of the same error exist, as after a restart.
    const m = new TemplateMiner(errorsConfig.parse({ similarity: 0.5, maxCandidates: 1 }));
    const a = m.add('Backup failed for alpha');
    m.add('Backup stalled at beta');
    const c = m.add('Backup failed for gamma');
    expect(c.change).toBe('created');
    expect(c.clusterId).not.toBe(a.clusterId);
    const d: MinerResult = m.add('Backup failed for delta');
    expect(d.change).toBe('merged');
    expect(d.mergedIds).toEqual([c.clusterId]);
    // The older cluster survives under its id, with the general template and both members.
    expect(d.clusterId).toBe(a.clusterId);
    expect(d.template).toBe('Backup failed for <*>');
    expect(m.resolve(c.clusterId)).toBe(a.clusterId);
    expect(m.get(c.clusterId)).toEqual(m.get(a.clusterId));
    expect(m.get(a.clusterId)!.size).toBe(3);
    expect(m.clusters().map((x) => x.id)).not.toContain(c.clusterId);
    // The absorbed cluster's exact variants now lead to the survivor.
    expect(m.add('Backup failed for gamma').clusterId).toBe(a.clusterId);
  });

  it('round-trips through snapshot and restore, continuing exactly as the original', () => {
    const s = stream(600);
    const original = new TemplateMiner(cfg);
    s.slice(0, 300).forEach((x, i) => original.add(x, 1000 + i));
    const snap = original.snapshot();
    expect(() => JSON.parse(snap)).not.toThrow();
    const restored = TemplateMiner.restore(snap, cfg);
    expect(restored.clusters()).toEqual(original.clusters());
    const rest = s.slice(300);
    expect(rest.map((x, i) => restored.add(x, 2000 + i))).toEqual(rest.map((x, i) => original.add(x, 2000 + i)));
    expect(restored.snapshot()).toBe(original.snapshot());
  });

  it('restores the scan order, so ties break the same way after a restart', () => {
    const tcfg = errorsConfig.parse({ similarity: 0.5 });
    const m = new TemplateMiner(tcfg);
    m.add('Sync job north failed');
    m.add('Sync task south failed');
    // Seen again: the older cluster becomes the most recent one, so recency order differs from creation order.
    m.add('Sync job north failed');
    const restored = TemplateMiner.restore(m.snapshot(), tcfg);
    // Three of four words agree with each template: a tie that scan order decides.
    const tie = 'Sync job south failed';
    expect(restored.add(tie, 9)).toEqual(m.add(tie, 9));
    expect(restored.snapshot()).toBe(m.snapshot());
  });

  it('keeps aliases across snapshot and restore', () => {
    const mcfg = errorsConfig.parse({ similarity: 0.5, maxCandidates: 1 });
    const m = new TemplateMiner(mcfg);
    ['Backup failed for alpha', 'Backup stalled at beta', 'Backup failed for gamma'].forEach((x) => m.add(x));
    const merged = m.add('Backup failed for delta');
    const restored = TemplateMiner.restore(m.snapshot(), mcfg);
    expect(restored.resolve(merged.mergedIds![0]!)).toBe(merged.clusterId);
  });

  it('rejects a snapshot that is not one, with a clear error', () => {
    expect(() => TemplateMiner.restore('not json', cfg)).toThrow(SnapshotError);
    expect(() => TemplateMiner.restore('{"v":2}', cfg)).toThrow(/unknown format/);
  });

  it('never holds more than maxClusters, evicting the least recently seen', () => {
    const m = new TemplateMiner(errorsConfig.parse({ maxClusters: 5 }));
    const name = (i: number): string => `${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}module crashed while loading`;
    const keep = m.add('Keepalive probe failed on gateway');
    for (let i = 0; i < 60; i++) {
      m.add(name(i), i);
      // Touching a cluster keeps it fresh, so eviction takes the stalest one instead.
      m.add('Keepalive probe failed on gateway', i);
      expect(m.size).toBeLessThanOrEqual(5);
    }
    expect(m.get(keep.clusterId)).toBeDefined();
    const templates = m.clusters().map((c) => c.template);
    expect(templates).toHaveLength(5);
    expect(templates).toEqual(expect.arrayContaining([name(56), name(57), name(58), name(59)]));
    expect(templates).not.toContain(name(55));
  });

  it('takes empty, whitespace-only, 1 MB and binary-looking messages without crashing', () => {
    const m = new TemplateMiner(cfg);
    expect(m.add('').template).toBe('<*>');
    expect(m.add('   \t  ').clusterId).toBe(m.add('').clusterId);
    const huge = m.add(`Error ${'x'.repeat(1024 * 1024)} end`);
    expect(huge.template.length).toBeLessThanOrEqual(cfg.maxMessageChars + 8);
    const tokens = m.add(Array.from({ length: 5000 }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}`).join(' '));
    expect(tokens.template.split(' ').length).toBeLessThanOrEqual(cfg.maxTokens + 1);
    const binary = Array.from({ length: 2048 }, (_, i) => String.fromCharCode((i * 131) % 65536)).join('');
    const r = m.add(binary);
    expect(typeof r.clusterId).toBe('string');
    expect(m.add(binary).clusterId).toBe(r.clusterId);
  });

  it('uses the digit-shape fast path only for masks that cannot tell digits apart', () => {
    for (const m of DEFAULT_MASKS) expect(digitAgnostic(m.pattern), m.name).toBe(true);
    expect(digitAgnostic(String.raw`\bHTTP 5\d\d\b`)).toBe(false);
    expect(digitAgnostic(String.raw`\b[1-5]xx\b`)).toBe(false);
    expect(digitAgnostic(String.raw`(\w)\1`)).toBe(false);
    expect(digitAgnostic(String.raw`\b\d{2,4}[0-9a-f]{8}\b`)).toBe(true);
  });

  it('gives the same results with and without the digit-shape fast path', () => {
    // A mask with a literal digit (that matches nothing here) turns the fast path off.
    const slow = new TemplateMiner(errorsConfig.parse({ extraMasks: [{ name: 'never', pattern: 'QQ9QQ' }] }));
    const fast = new TemplateMiner(cfg);
    const s = [...stream(300), 'r24=0x1 r25=0x2', 'r00=0x1 r01=0x2', 'r24=0x3 r25=0x4', 'core.123 dumped', 'core.45 dumped'];
    expect(s.map((x) => fast.add(x, 1))).toEqual(s.map((x) => slow.add(x, 1)));
  });
});
