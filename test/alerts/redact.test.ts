import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { luhnValid, redact } from '../../src/alerts/redact.js';
import { buildCorpus, type CorpusEntry } from '../fixtures/redaction/generate.js';

const FIXTURES = new URL('../fixtures/redaction/', import.meta.url);

/** The secret, or a large part of it, still in the output. */
function leakOf(out: string, secret: string): string | null {
  if (out.includes(secret)) return secret;
  // a partial cut (only the prefix replaced, say) leaks too: look for any long piece of it
  const k = Math.min(secret.length, Math.max(6, Math.ceil(secret.length / 2)));
  for (let i = 0; i + k <= secret.length; i++) if (out.includes(secret.slice(i, i + k))) return secret.slice(i, i + k);
  return null;
}

describe('redact on single cases', () => {
  it.each([
    ['write to jane.doe+vip@acme-corp.co.uk today', 'write to [email] today'],
    ['call (415) 555-0132 or +44 20 7946 0958', 'call [phone] or [phone]'],
    ['card 4111 1111 1111 1111 exp 12/27', 'card [card] exp 12/27'],
    ['postgres://admin:S3cr3t!pw@db.internal:5432/prod', 'postgres://admin:[password]@db.internal:5432/prod'],
    ['Authorization: Bearer abcDEF123456ghiJKL789', 'Authorization: Bearer [token]'],
    ['key AKIAIOSFODNN7EXAMPLE and ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'key [api-key] and [api-key]'],
    ['api_key=8f14e45fceea167a5a36dedd4bea2543&page=2', 'api_key=[secret]&page=2'],
    ['password=hunter2', 'password=[password]'],
    ['"client_secret": "Zx9-lkj_33Qp"', '"client_secret": "[secret]"'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('replaces a JWT whole', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    expect(redact(`id_token=${jwt}; next`)).toBe('id_token=[jwt]; next');
  });

  it('checks card numbers with Luhn: a 16-digit order number that fails it stays', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(redact('order 4111 1111 1111 1112 shipped')).toBe('order 4111 1111 1111 1112 shipped');
    // an epoch-millisecond timestamp is not a card
    expect(redact('at 1764374400000 the job failed')).toBe('at 1764374400000 the job failed');
  });

  it('finds a card number inside a longer run of digit groups', () => {
    expect(redact('ref 555 4111 1111 1111 1111')).not.toContain('4111 1111 1111 1111');
  });

  it('redacts IP addresses only when asked', () => {
    const text = 'blocked 203.0.113.42 and 2001:db8::8a2e:370:7334 at 10:30:45';
    expect(redact(text)).toBe(text);
    expect(redact(text, { ips: true })).toBe('blocked [ip] and [ip] at 10:30:45');
  });

  it('leaves placeholders and ordinary words after a secret-looking key alone', () => {
    for (const t of ['token: expired', 'password=***', 'api_key=<your key>', 'secret is required', 'the token was invalid', 'Password: must be at least 12 characters', 'token_type=Bearer']) {
      expect(redact(t)).toBe(t);
    }
    // settings about a secret are not the secret
    expect(redact('PASSWORD_MIN_LENGTH=12 api_key_id=key_01HGW5ZC9XK2M7T3V8N6')).toBe('PASSWORD_MIN_LENGTH=12 api_key_id=key_01HGW5ZC9XK2M7T3V8N6');
    // but a quoted or assigned password is always one
    expect(redact(`db_password: 'letmein'`)).toBe(`db_password: '[password]'`);
    expect(redact('PASSWORD=letmein')).toBe('PASSWORD=[password]');
  });

  it('is pure: the same input gives the same output and empty stays empty', () => {
    const t = 'mail me at a.b@c.io, card 5555 5555 5555 4444';
    expect(redact(t)).toBe(redact(t));
    expect(redact('')).toBe('');
  });
});

describe('the redaction corpus', () => {
  const corpus: CorpusEntry[] = readFileSync(new URL('corpus.jsonl', FIXTURES), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CorpusEntry);

  it('is the output of its generator and holds at least 500 strings with their secrets listed', () => {
    expect(corpus).toEqual(buildCorpus());
    expect(corpus.length).toBeGreaterThanOrEqual(500);
    for (const e of corpus) {
      expect(e.secrets.length).toBeGreaterThan(0);
      for (const s of e.secrets) expect(e.text).toContain(s);
    }
    expect(new Set(corpus.map((e) => e.category)).size).toBeGreaterThanOrEqual(10);
  });

  it('leaks no secret, whole or in part', () => {
    const leaks = corpus.flatMap((e) => {
      const out = redact(e.text, { ips: e.ips });
      return e.secrets.map((s) => leakOf(out, s)).filter((l): l is string => l !== null).map((l) => `${e.id}: ${l} in ${JSON.stringify(out)}`);
    });
    expect(leaks).toEqual([]);
  });

  it('keeps the sentence around the secrets readable', () => {
    // a private key block is replaced whole, armour lines included, by design
    for (const e of corpus.filter((c) => c.category !== 'private-key')) {
      const out = redact(e.text, { ips: e.ips });
      let rest = e.text;
      for (const s of e.secrets) rest = rest.split(s).join('');
      // what is not secret (minus key names that tags replace next to it) mostly survives
      const words = rest.split(/[^A-Za-z]+/).filter((w) => w.length >= 4);
      const kept = words.filter((w) => out.includes(w)).length;
      expect(kept, `${e.id}: ${out}`).toBeGreaterThanOrEqual(Math.floor(words.length * 0.8));
    }
  });
});

describe('ordinary support text', () => {
  const lines = readFileSync(new URL('ordinary.txt', FIXTURES), 'utf8').split('\n').filter(Boolean);

  it('has at least 100 sentences, with error messages and ids among them', () => {
    expect(lines.length).toBeGreaterThanOrEqual(100);
    expect(lines.filter((l) => /[0-9a-f]{8}-[0-9a-f]{4}|req_|id |#\d+|\d{5,}/.test(l)).length).toBeGreaterThanOrEqual(15);
  });

  it('stays unchanged, ids and error codes included', () => {
    const changed = lines.flatMap((l) => [false, true].map((ips) => [l, redact(l, { ips })] as const)).filter(([a, b]) => a !== b);
    // "mostly unchanged": at most 2 % of sentences may lose a part
    expect(changed.length, changed.map(([a, b]) => `${a}\n  => ${b}`).join('\n')).toBeLessThanOrEqual(Math.floor(lines.length * 2 * 0.02));
    for (const id of ['3f2b8c1e-9d4a-4b7e-8f0a-1c2d3e4f5a6b', '4bf92f3577b34da6a3ce929d0e0e4736', 'req_01HGW5ZC9XK2M7T3V8N6', '65a1f3c2e4b0a1d2c3e4f5a6']) {
      const line = lines.find((l) => l.includes(id))!;
      expect(redact(line, { ips: true })).toContain(id);
    }
  });
});
