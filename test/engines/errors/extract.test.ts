// Extraction of error messages from customer-written ticket texts, against a hand-labelled corpus,
// and its bounds: empty, huge and binary-looking input never crash and cost bounded work.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorsConfig } from '../../../src/engines/errors/config.js';
import { extractErrors, type ExtractedError } from '../../../src/engines/errors/extract.js';

interface Ticket {
  name: string;
  text?: string;
  error?: string;
  expected: ExtractedError[];
}

const corpus = JSON.parse(readFileSync(new URL('../../fixtures/tickets/tickets.json', import.meta.url), 'utf8')) as Ticket[];
const cfg = errorsConfig.parse({});

describe('extractErrors on the ticket corpus', () => {
  it('has a realistic spread: at least 40 texts, some with none and some with several errors', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(corpus.filter((t) => t.expected.length === 0).length).toBeGreaterThanOrEqual(5);
    expect(corpus.filter((t) => t.expected.length > 1).length).toBeGreaterThanOrEqual(3);
    const sources = new Set(corpus.flatMap((t) => t.expected.map((e) => e.source)));
    expect([...sources].sort()).toEqual(['field', 'http', 'line', 'quoted', 'stack']);
  });

  for (const ticket of corpus) {
    it(ticket.name, () => {
      expect(extractErrors({ text: ticket.text, error: ticket.error }, cfg)).toEqual(ticket.expected);
    });
  }
});

describe('extractErrors bounds', () => {
  it('returns nothing for empty or missing input', () => {
    expect(extractErrors({}, cfg)).toEqual([]);
    expect(extractErrors({ text: '', error: '' }, cfg)).toEqual([]);
  });

  it('scans only maxInputChars of a 1 MB text and caps the number of errors', () => {
    const line = 'ERROR [db] Failed to write batch: deadlock detected\n';
    const huge = 'x'.repeat(1024 * 1024 - 10) + '\nERROR late: this is past the scan bound';
    expect(huge.length).toBeGreaterThan(1_000_000);
    expect(extractErrors({ text: huge }, cfg)).toEqual([]);
    const many = Array.from({ length: 20_000 }, (_, i) => line.replace('batch', `batch ${i} of table t${i % 97}`)).join('');
    const out = extractErrors({ text: many }, cfg);
    expect(out.length).toBe(cfg.maxErrorsPerText);
    for (const e of out) expect(e.message.length).toBeLessThanOrEqual(cfg.maxMessageChars);
  });

  it('cuts a single 1 MB line to maxMessageChars', () => {
    const out = extractErrors({ error: `Error: ${'a'.repeat(1024 * 1024)}` }, cfg);
    expect(out).toHaveLength(1);
    expect(out[0]!.message.length).toBe(cfg.maxMessageChars);
  });

  it('turns binary-looking input into text safely', () => {
    const bytes = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
    const out = extractErrors({ text: `${bytes}\nupload failed: \u0000\u0001corrupt\u0002 header\n${bytes}`, error: '\u0000\u0000' }, cfg);
    // eslint-disable-next-line no-control-regex -- asserting control characters are gone
    for (const e of out) expect(e.message).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(out.some((e) => e.message.includes('upload failed'))).toBe(true);
  });

  it('does not throw on values of the wrong type', () => {
    expect(extractErrors({ text: 42 as unknown as string, error: null as unknown as string }, cfg)).toEqual([]);
    expect(extractErrors(undefined as unknown as { text?: string }, cfg)).toEqual([]);
  });
});
