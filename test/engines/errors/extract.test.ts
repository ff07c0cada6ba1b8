// Extraction of error messages from customer-written ticket texts, against a hand-labelled corpus,
// and its bounds: empty, huge and binary-looking input never crash and cost bounded work.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorsConfig } from '../../../src/engines/errors/config.js';
import { extractErrors, mayHoldErrors, type ExtractedError } from '../../../src/engines/errors/extract.js';

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

describe('the prefilter of text that cannot hold an error', () => {
  it('changes no result: random texts from error and plain fragments give what a scan of every line gives', () => {
    const fragments = [
      'Hi team,', 'thanks a lot!', 'The dashboard is slow today.', 'we got a 502 when saving', 'status code: 404', 'Status 500',
      '"Payment declined by issuer"', "'card was rejected'", '`ECONNRESET socket hang up`', 'TypeError: x is undefined',
      '    at render (app.js:10:5)', 'Traceback (most recent call last):', '  File "x.py", line 3, in <module>', 'ValueError: bad value',
      'no errors since yesterday', 'E_TIMEOUT_UPSTREAM again', 'HTTP/1.1 503 Service Unavailable', 'it keeps timing out.', "can't log in!",
      'order 12345 shipped', 'Error: request failed with status code 401', 'java.lang.IllegalStateException: closed', 'my typeFault here',
      'FATAL - disk full', 'unable to export', 'great, works now', 'Our script died with:', 'NullPointerException', 'x"error"y', 'panic',
    ];
    let seed = 3;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let withErrors = 0;
    let skipped = 0;
    for (let n = 0; n < 600; n++) {
      const parts: string[] = [];
      const count = 1 + Math.floor(rand() * 5);
      for (let k = 0; k < count; k++) parts.push(fragments[Math.floor(rand() * fragments.length)]!);
      const text = parts.join(rand() < 0.5 ? '\n' : ' ');
      const all = extractErrors({ text }, cfg, { prefilter: false });
      expect(extractErrors({ text }, cfg)).toEqual(all);
      if (all.length > 0) withErrors++;
      if (!mayHoldErrors(text)) skipped++;
    }
    for (const t of corpus) if (t.text) expect(extractErrors({ text: t.text, error: t.error }, cfg)).toEqual(extractErrors({ text: t.text, error: t.error }, cfg, { prefilter: false }));
    expect(withErrors).toBeGreaterThan(100);
    expect(skipped).toBeGreaterThan(10);
  });
});
